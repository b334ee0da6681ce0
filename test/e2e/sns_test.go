package e2e

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

const snsScript = `
import base64, json, os, re, time, urllib.request, boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

endpoint = os.environ['AWS_ENDPOINT_URL']
sns, sqs = boto3.client('sns'), boto3.client('sqs')
topic = sns.create_topic(Name='sendmail-notifications')['TopicArn']

q = sqs.create_queue(QueueName='fanout')['QueueUrl']
qarn = sqs.get_queue_attributes(QueueUrl=q, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=qarn)
sns.subscribe(TopicArn=topic, Protocol='lambda', Endpoint='arn:aws:lambda:us-east-1:000000000000:function:bounce')
fq = sqs.create_queue(QueueName='filtered')['QueueUrl']
farn = sqs.get_queue_attributes(QueueUrl=fq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
sns.subscribe(TopicArn=topic, Protocol='sqs', Endpoint=farn,
              Attributes={'FilterPolicy': json.dumps({'kind': ['urgent']}), 'RawMessageDelivery': 'true'})

# An email subscription is confirmed by following the link in the mail.
sns.subscribe(TopicArn=topic, Protocol='email', Endpoint='yamada@example.com')
def mails():
    return json.load(urllib.request.urlopen(endpoint + '/_kiri/mailbox'))['messages']
link = re.search(r'(http://\S+Action=ConfirmSubscription\S+)', mails()[0]['text']).group(1)
urllib.request.urlopen(link).read()
subs = sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']
assert all(s['SubscriptionArn'].startswith(topic + ':') for s in subs), subs

# The mailer's call (seed 002-ch6-mailworker).
boto3.resource('sns').Topic(topic).publish(Message='mailsendqueue000')
sns.publish(TopicArn=topic, Message='now', MessageAttributes={'kind': {'DataType': 'String', 'StringValue': 'urgent'}})

def drain(url, n):
    got = []
    deadline = time.time() + 20
    while len(got) < n and time.time() < deadline:
        for m in sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1, MaxNumberOfMessages=10).get('Messages', []):
            got.append(m['Body'])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m['ReceiptHandle'])
    return got

notes = [json.loads(b) for b in drain(q, 2)]
print(sorted(n['Message'] for n in notes))
print(drain(fq, 1))

# Verify a notification's signature with the certificate at SigningCertURL.
n = next(n for n in notes if n['Message'] == 'mailsendqueue000')
fields = ['Message', 'MessageId'] + (['Subject'] if 'Subject' in n else []) + ['Timestamp', 'TopicArn', 'Type']
canonical = ''.join(k + '\n' + n[k] + '\n' for k in fields).encode()
cert = x509.load_pem_x509_certificate(urllib.request.urlopen(n['SigningCertURL']).read())
cert.public_key().verify(base64.b64decode(n['Signature']), canonical, padding.PKCS1v15(), hashes.SHA1())
print('signature ok', n['Type'], n['SignatureVersion'])
deadline = time.time() + 20
while len(mails()) < 3 and time.time() < deadline:
    time.sleep(0.1)
print(len(mails()))
`

// TestSNSFanOut publishes as the book's mailer does and checks delivery to
// SQS (wrapped and raw, with a filter policy), email confirmed through the
// link in the mail, and the signature of a notification.
func TestSNSFanOut(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3, cryptography")
	k := startKiri(t, "")
	lambdaRole(t, k)
	inlinePython(t, k, "bounce", "def handler(event, context):\n    r = event['Records'][0]\n    print(r['EventSource'], r['Sns']['Message'])\n", 3)
	// As on AWS, SNS may invoke the function only once its policy says so.
	_, err := lambdaClient(k).AddPermission(context.Background(), &lambda.AddPermissionInput{FunctionName: aws.String("bounce"),
		StatementId: aws.String("sns"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com"),
		SourceArn: aws.String("arn:aws:sns:us-east-1:000000000000:sendmail-notifications")})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("python3", "-c", snsScript)
	cmd.Env = clientEnv(k)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := "['mailsendqueue000', 'now']\n['now']\nsignature ok Notification 1\n3\n"
	if string(out) != want {
		t.Fatalf("printed:\n%s\nwant:\n%s", out, want)
	}
	// SNS invokes the function asynchronously with the Records event.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		log := functionLog(t, k, "bounce")
		if strings.Contains(log, "aws:sns mailsendqueue000") && strings.Contains(log, "aws:sns now") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("function log:\n%s", log)
		}
	}
}
