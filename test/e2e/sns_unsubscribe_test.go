package e2e

import (
	"testing"
)

// snsUnsubscribeScript runs an HTTP endpoint, subscribes it with boto3,
// confirms by following SubscribeURL, unsubscribes, checks the signed
// UnsubscribeConfirmation and follows its SubscribeURL to restore delivery.
const snsUnsubscribeScript = `
import base64, json, queue, threading, time, urllib.request, boto3
from http.server import BaseHTTPRequestHandler, HTTPServer
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

got = queue.Queue()
class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers['Content-Length'])).decode()
        got.put((self.headers, body))
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
server = HTTPServer(('127.0.0.1', 0), Handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
url = 'http://127.0.0.1:%d/hook' % server.server_port

def receive():
    return got.get(timeout=20)

def verify(d):
    fields = ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type']
    canonical = ''.join(k + '\n' + d[k] + '\n' for k in fields).encode()
    cert = x509.load_pem_x509_certificate(urllib.request.urlopen(d['SigningCertURL']).read())
    cert.public_key().verify(base64.b64decode(d['Signature']), canonical, padding.PKCS1v15(), hashes.SHA1())

sns = boto3.client('sns')
topic = sns.create_topic(Name='hooks')['TopicArn']
sns.subscribe(TopicArn=topic, Protocol='http', Endpoint=url)
h, body = receive()
d = json.loads(body)
verify(d)
urllib.request.urlopen(d['SubscribeURL']).read()
arn = sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions'][0]['SubscriptionArn']

sns.unsubscribe(SubscriptionArn=arn)
h, body = receive()
d = json.loads(body)
verify(d)
print(h['x-amz-sns-message-type'], h['x-amz-sns-subscription-arn'] == arn, list(d))
print(d['Message'] == 'You have chosen to deactivate subscription %s.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.' % arn)
print(len(sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']))

urllib.request.urlopen(d['SubscribeURL']).read()
subs = sns.list_subscriptions_by_topic(TopicArn=topic)['Subscriptions']
print([s['SubscriptionArn'] == arn for s in subs])
sns.publish(TopicArn=topic, Message='back')
h, body = receive()
print(h['x-amz-sns-message-type'], json.loads(body)['Message'])
`

// TestSNSUnsubscribeConfirmation: boto3 unsubscribes an http endpoint,
// which gets a signed UnsubscribeConfirmation whose SubscribeURL, followed
// with a plain GET, restores the subscription.
func TestSNSUnsubscribeConfirmation(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3, cryptography")
	k := startKiri(t, "")
	out := python(t, k, snsUnsubscribeScript)
	want := "UnsubscribeConfirmation True ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']\n" +
		"True\n0\n[True]\nNotification back\n"
	if out != want {
		t.Fatalf("printed:\n%s\nwant:\n%s", out, want)
	}
}
