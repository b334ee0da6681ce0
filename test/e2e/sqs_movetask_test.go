package e2e

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// dlqRedriveScript dead-letters three messages, then redrives them with
// start_message_move_task (no DestinationArn: back to their source queue)
// and watches list_message_move_tasks until the task completes.
const dlqRedriveScript = `
import json, time, boto3
from botocore.exceptions import ClientError

sqs = boto3.client('sqs')
dlq = sqs.create_queue(QueueName='redrive-dlq')['QueueUrl']
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
src = sqs.create_queue(QueueName='redrive-src', Attributes={
    'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '1'})})['QueueUrl']
src_arn = sqs.get_queue_attributes(QueueUrl=src, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
for b in ['one', 'two', 'three']:
    sqs.send_message(QueueUrl=src, MessageBody=b)
got = 0
for _ in range(10):
    got += len(sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10, VisibilityTimeout=0).get('Messages', []))
    if got >= 3:
        break
sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10)  # dead-letters them
print('dlq', sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['ApproximateNumberOfMessages'])['Attributes']['ApproximateNumberOfMessages'])

try:
    sqs.start_message_move_task(SourceArn=src_arn)
except ClientError as e:
    print('not a dlq', e.response['Error']['Code'])

handle = sqs.start_message_move_task(SourceArn=dlq_arn)['TaskHandle']
deadline = time.time() + 30
while True:
    task = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=10)['Results'][0]
    if task['Status'] != 'RUNNING' or time.time() > deadline:
        break
    time.sleep(0.05)
print('task', task['Status'], task['ApproximateNumberOfMessagesMoved'], task['ApproximateNumberOfMessagesToMove'],
      'TaskHandle' in task, 'DestinationArn' in task, task['SourceArn'] == dlq_arn)

try:
    sqs.cancel_message_move_task(TaskHandle=handle)
except ClientError as e:
    print('cancel done', e.response['Error']['Code'])

bodies = []
for _ in range(10):
    bodies += [m['Body'] for m in sqs.receive_message(QueueUrl=src, MaxNumberOfMessages=10).get('Messages', [])]
    if len(bodies) == 3:
        break
print('back', sorted(bodies))
`

// Run with boto3 1.43 (JSON). Debian's boto3 1.26 predates the message
// move task operations, so the query protocol is driven by hand below.
func TestSQSMessageMoveTaskWithBoto3(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	k := startKiri(t, "")
	out := python(t, k, dlqRedriveScript)
	want := "dlq 3\nnot a dlq InvalidParameterValue\ntask COMPLETED 3 3 False False True\n" +
		"cancel done ResourceNotFoundException\nback ['one', 'three', 'two']\n"
	if out != want {
		t.Fatalf("printed:\n%s\nwant:\n%s", out, want)
	}

	// The query protocol, as older SDKs speak it.
	post := func(form url.Values) string {
		t.Helper()
		form.Set("Version", "2012-11-05")
		resp, err := http.PostForm(k.Endpoint()+"/", form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", form.Get("Action"), resp.StatusCode, body)
		}
		return string(body)
	}
	const dlqArn = "arn:aws:sqs:us-east-1:000000000000:redrive-dlq"
	started := post(url.Values{"Action": {"StartMessageMoveTask"}, "SourceArn": {dlqArn}, "DestinationArn": {"arn:aws:sqs:us-east-1:000000000000:redrive-src"}})
	if !strings.Contains(started, "<StartMessageMoveTaskResult><TaskHandle>") {
		t.Fatalf("StartMessageMoveTask: %s", started)
	}
	var listed string
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		listed = post(url.Values{"Action": {"ListMessageMoveTasks"}, "SourceArn": {dlqArn}, "MaxResults": {"2"}})
		if strings.Count(listed, "<Status>COMPLETED</Status>") == 2 || time.Now().After(deadline) {
			break
		}
	}
	if strings.Count(listed, "<ListMessageMoveTasksResultEntry>") != 2 ||
		!strings.Contains(listed, "<ListMessageMoveTasksResult><ListMessageMoveTasksResultEntry>") ||
		!strings.Contains(listed, "<DestinationArn>arn:aws:sqs:us-east-1:000000000000:redrive-src</DestinationArn>") ||
		strings.Count(listed, "<Status>COMPLETED</Status>") != 2 {
		t.Fatalf("ListMessageMoveTasks: %s", listed)
	}
}
