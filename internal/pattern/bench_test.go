package pattern

import "testing"

// A typical EventBridge event (EC2 state change) against a 5-field pattern.
func BenchmarkMatch(b *testing.B) {
	p, err := Compile([]byte(`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],` +
		`"region":[{"prefix":"us-"}],"account":[{"anything-but":"000000000000"}],"detail":{"state":["running","stopped"]}}`))
	if err != nil {
		b.Fatal(err)
	}
	event := []byte(`{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602","detail-type":"EC2 Instance State-change Notification",` +
		`"source":"aws.ec2","account":"123456789012","time":"2022-07-26T04:45:24Z","region":"us-east-1",` +
		`"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-1234567890abcdef0"],` +
		`"detail":{"instance-id":"i-1234567890abcdef0","state":"running"}}`)
	if !p.Match(event) {
		b.Fatal("benchmark event does not match")
	}
	b.ReportAllocs()
	for b.Loop() {
		p.Match(event)
	}
}

// The same match on an already-decoded event, i.e. the matcher alone.
func BenchmarkMatchValue(b *testing.B) {
	p, err := Compile([]byte(`{"source":["aws.ec2"],"detail-type":["EC2 Instance State-change Notification"],` +
		`"region":[{"prefix":"us-"}],"account":[{"anything-but":"000000000000"}],"detail":{"state":["running","stopped"]}}`))
	if err != nil {
		b.Fatal(err)
	}
	v, err := decodeJSON([]byte(`{"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012",` +
		`"region":"us-east-1","detail":{"instance-id":"i-1234567890abcdef0","state":"running"}}`))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		p.MatchValue(v)
	}
}
