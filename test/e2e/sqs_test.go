package e2e

import (
	"os/exec"
	"strings"
	"testing"
)

// mailQueueScript runs the SQS calls of the book's chapter 6 mailer
// (seed 002-ch6-*): get_queue_by_name, queue.attributes[...], send_message
// with message attributes, receive_messages with 'All', m.delete().
const mailQueueScript = `
import os, sys, boto3
sqs = boto3.resource('sqs', endpoint_url=os.environ['KIRI_ENDPOINT'], region_name='ap-northeast-1')
boto3.client('sqs', endpoint_url=os.environ['KIRI_ENDPOINT'], region_name='ap-northeast-1').create_queue(QueueName='mailsendqueue000')
queue = sqs.get_queue_by_name(QueueName="mailsendqueue000")
for who in ['taro', 'hanako']:
    queue.send_message(MessageBody=who + '@example.com', MessageAttributes={
        'username': {'DataType': 'String', 'StringValue': who + ' 山田'},
        'bucketname': {'DataType': 'String', 'StringValue': 'mailbody000'},
        'filename': {'DataType': 'String', 'StringValue': 'example.txt'}})
queue.reload()
print(queue.attributes['ApproximateNumberOfMessages'])
got = []
while True:
    messages = queue.receive_messages(MessageAttributeNames=['All'], MaxNumberOfMessages=10)
    if not messages:
        break
    for m in messages:
        got.append(m.body + ' ' + m.message_attributes.get('username').get('StringValue') + ' ' +
                   m.message_attributes.get('filename').get('StringValue'))
        m.delete()
print('|'.join(sorted(got)))
queue.reload()
print(queue.attributes['ApproximateNumberOfMessages'])
`

// runMailQueue runs the script with a Python and checks what it printed.
func runMailQueue(t *testing.T, pythonBin string) {
	requireTool(t, pythonBin, "-c", "import boto3")
	k := startKiri(t, "")
	cmd := exec.Command(pythonBin, "-c", mailQueueScript)
	cmd.Env = clientEnv(k, "KIRI_ENDPOINT="+k.Endpoint())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", pythonBin, err, out)
	}
	want := "2\nhanako@example.com hanako 山田 example.txt|taro@example.com taro 山田 example.txt\n0\n"
	if string(out) != want {
		t.Fatalf("%s printed:\n%s\nwant:\n%s", pythonBin, out, want)
	}
}

// boto3 1.43 speaks SQS's JSON protocol.
func TestSeedMailQueueBoto3JSON(t *testing.T) { runMailQueue(t, "python3") }

// Debian's python3-boto3 1.26 speaks the query protocol and checks MD5s.
func TestSeedMailQueueBoto3Query(t *testing.T) { runMailQueue(t, "/usr/bin/python3") }

// The AWS CLI v1 (its SQS customisation needs --endpoint-url).
func TestSQSWithCLI(t *testing.T) {
	requireTool(t, "aws", "--version")
	k := startKiri(t, "")
	cli := func(args ...string) map[string]any {
		out, err := awsCLI(t, k, "", append([]string{"--endpoint-url", k.Endpoint(), "sqs"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(out) == "" {
			return nil
		}
		return decodeJSON(t, out)
	}
	url := cli("create-queue", "--queue-name", "jobs")["QueueUrl"].(string)
	sent := cli("send-message", "--queue-url", url, "--message-body", "hello",
		"--message-attributes", `{"kind":{"DataType":"String","StringValue":"greeting"}}`)
	if sent["MD5OfMessageBody"] != "5d41402abc4b2a76b9719d911017c592" || sent["MD5OfMessageAttributes"] == nil {
		t.Fatalf("send-message: %v", sent)
	}
	got := cli("receive-message", "--queue-url", url, "--attribute-names", "All", "--message-attribute-names", "All")
	msgs, _ := got["Messages"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("receive-message: %v", got)
	}
	m := msgs[0].(map[string]any)
	attrs := m["Attributes"].(map[string]any)
	if m["Body"] != "hello" || attrs["ApproximateReceiveCount"] != "1" ||
		m["MessageAttributes"].(map[string]any)["kind"].(map[string]any)["StringValue"] != "greeting" {
		t.Fatalf("message: %v", m)
	}
	cli("delete-message", "--queue-url", url, "--receipt-handle", m["ReceiptHandle"].(string))
	attrsOut := cli("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")["Attributes"].(map[string]any)
	if attrsOut["ApproximateNumberOfMessages"] != "0" || attrsOut["QueueArn"] != "arn:aws:sqs:us-east-1:000000000000:jobs" {
		t.Fatalf("attributes: %v", attrsOut)
	}
}

// sqsBehaviourScript exercises, with boto3, the SQS behaviours a client
// notices: FIFO order and deduplication, visibility expiry, a DLQ after
// maxReceiveCount, long polling that wakes when a message arrives, and
// tags (Tag.N.Key in the query protocol).
const sqsBehaviourScript = `
import json, os, threading, time, boto3
sqs = boto3.client('sqs', endpoint_url=os.environ['KIRI_ENDPOINT'], region_name='us-east-1')

fifo = sqs.create_queue(QueueName='orders.fifo', Attributes={'FifoQueue': 'true'})['QueueUrl']
for i, body in enumerate(['a', 'b', 'b', 'c']):
    sqs.send_message(QueueUrl=fifo, MessageBody=body, MessageGroupId='g', MessageDeduplicationId=body)
got = []
while True:
    ms = sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10).get('Messages', [])
    if not ms:
        break
    for m in ms:
        got.append(m['Body'])
        sqs.delete_message(QueueUrl=fifo, ReceiptHandle=m['ReceiptHandle'])
print('fifo', ''.join(got))

dlq = sqs.create_queue(QueueName='dead')['QueueUrl']
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
work = sqs.create_queue(QueueName='work', Attributes={'VisibilityTimeout': '1',
    'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '2'})})['QueueUrl']
sqs.send_message(QueueUrl=work, MessageBody='poison')
counts = []
for _ in range(2):
    m = sqs.receive_message(QueueUrl=work, WaitTimeSeconds=5, AttributeNames=['ApproximateReceiveCount'])['Messages'][0]
    counts.append(m['Attributes']['ApproximateReceiveCount'])
print('receives', counts)
m = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=5).get('Messages', [])
while not m:
    sqs.receive_message(QueueUrl=work, WaitTimeSeconds=2)
    m = sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=2).get('Messages', [])
print('dlq', m[0]['Body'])

idle = sqs.create_queue(QueueName='idle')['QueueUrl']
threading.Timer(0.5, lambda: sqs.send_message(QueueUrl=idle, MessageBody='wake')).start()
m = sqs.receive_message(QueueUrl=idle, WaitTimeSeconds=20)['Messages'][0]
print('long poll', m['Body'])

sqs.tag_queue(QueueUrl=idle, Tags={'team': 'iot', 'stage': 'dev'})
sqs.untag_queue(QueueUrl=idle, TagKeys=['stage'])
print('tags', sqs.list_queue_tags(QueueUrl=idle)['Tags'])
`

// Run with boto3 1.43 (JSON) and Debian's boto3 1.26 (query).
func TestSQSBehavioursWithBoto3(t *testing.T) {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		t.Run(py, func(t *testing.T) {
			requireTool(t, py, "-c", "import boto3")
			k := startKiri(t, "")
			cmd := exec.Command(py, "-c", sqsBehaviourScript)
			cmd.Env = clientEnv(k, "KIRI_ENDPOINT="+k.Endpoint())
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			want := "fifo abc\nreceives ['1', '2']\ndlq poison\nlong poll wake\ntags {'team': 'iot'}\n"
			if string(out) != want {
				t.Fatalf("printed:\n%s\nwant:\n%s", out, want)
			}
		})
	}
}
