package sqs

import (
	"testing"

	"github.com/kiricloud/kiri/internal/api"
	sqsapi "github.com/kiricloud/kiri/internal/api/sqs"
)

func strAttr(dataType, value string) sqsapi.MessageAttributeValue {
	return sqsapi.MessageAttributeValue{DataType: api.Ptr(dataType), StringValue: api.Ptr(value)}
}

// The expected sums are published vectors of AWS's algorithm (LocalStack's,
// sqslite's and sqs-md5-validator's tests, the last from AWS's docs).
func TestMD5OfAttributesKnownValues(t *testing.T) {
	cases := []struct {
		attrs map[string]sqsapi.MessageAttributeValue
		want  string
	}{
		{map[string]sqsapi.MessageAttributeValue{"timestamp": strAttr("Number", "1493147359900")}, "235c5c510d26fb653d073faed50ae77c"},
		{map[string]sqsapi.MessageAttributeValue{"SellerName": strAttr("String", "Example Store")}, "cd28f3b68aeee4b2eac9c66f2f694b58"},
		{map[string]sqsapi.MessageAttributeValue{"ordinal": strAttr("Number", "1"), "category": strAttr("String", "test")}, "d21ae90c49061e927f57df5f5d72be1f"},
		{nil, ""},
	}
	for _, c := range cases {
		if got := md5OfAttributes(c.attrs); got != c.want {
			t.Errorf("md5OfAttributes(%v) = %s, want %s", c.attrs, got, c.want)
		}
	}
}

func TestSendReturnsMD5s(t *testing.T) {
	s, _ := newTestService(t)
	url := createQueue(t, s, "q", nil)
	attrs := map[string]sqsapi.MessageAttributeValue{"SellerName": strAttr("String", "Example Store")}
	out := must(s.SendMessage(bg, &sqsapi.SendMessageRequest{QueueUrl: api.Ptr(url), MessageBody: api.Ptr("test"), MessageAttributes: attrs}))(t)
	if api.Deref(out.MD5OfMessageBody) != "098f6bcd4621d373cade4e832627b4f6" {
		t.Errorf("MD5OfMessageBody = %s", api.Deref(out.MD5OfMessageBody))
	}
	if api.Deref(out.MD5OfMessageAttributes) != "cd28f3b68aeee4b2eac9c66f2f694b58" {
		t.Errorf("MD5OfMessageAttributes = %s", api.Deref(out.MD5OfMessageAttributes))
	}
	msgs := receive(t, s, url, 1)
	if len(msgs) != 1 || api.Deref(msgs[0].MD5OfMessageAttributes) != "cd28f3b68aeee4b2eac9c66f2f694b58" || api.Deref(msgs[0].MD5OfBody) != "098f6bcd4621d373cade4e832627b4f6" {
		t.Fatalf("received %+v", msgs)
	}
	if plain := send(t, s, url, "x"); plain.MD5OfMessageAttributes != nil {
		t.Errorf("MD5OfMessageAttributes without attributes = %q", *plain.MD5OfMessageAttributes)
	}
}
