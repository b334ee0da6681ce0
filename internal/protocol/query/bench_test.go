package query

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

// discard is a ResponseWriter that keeps nothing, so the benchmarks
// measure the codec rather than a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchRoundTrip(b *testing.B, c Codec, api *model.API, body string, out map[string]any) {
	w := &discard{h: http.Header{}}
	data := []byte(body)
	// The codec reads the body bytes the gateway hands it, never r.Body,
	// so one request serves every iteration.
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	b.ReportAllocs()
	for b.Loop() {
		op, err := c.Operation(api, r, data)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := c.Decode(api, op, r, data); err != nil {
			b.Fatal(err)
		}
		c.EncodeOutput(w, api, op, out, "7a62c49f-347e-4fc4-9331-6e8eEXAMPLE")
	}
}

// BenchmarkIAMGetRole decodes a GetRole request and encodes its output.
func BenchmarkIAMGetRole(b *testing.B) {
	api := xmltest.LoadAPI(b, "iam")
	out := map[string]any{"Role": map[string]any{
		"Path": "/", "RoleName": "test-role", "RoleId": "AROAEXAMPLEID", "Arn": "arn:aws:iam::000000000000:role/test-role",
		"CreateDate":               time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC),
		"AssumeRolePolicyDocument": "%7B%22Version%22%3A%222012-10-17%22%7D", "MaxSessionDuration": int64(3600),
		"Tags": []any{map[string]any{"Key": "env", "Value": "dev"}},
	}}
	benchRoundTrip(b, Codec{}, api, "Action=GetRole&Version=2010-05-08&RoleName=test-role", out)
}

// BenchmarkEC2DescribeInstances decodes a filtered DescribeInstances and
// encodes a one-instance reservation.
func BenchmarkEC2DescribeInstances(b *testing.B) {
	api := xmltest.LoadAPI(b, "ec2")
	out := map[string]any{"Reservations": []any{map[string]any{
		"ReservationId": "r-1", "OwnerId": "000000000000", "Groups": []any{},
		"Instances": []any{map[string]any{
			"ImageId": "ami-1", "InstanceId": "i-0123", "InstanceType": "t2.micro",
			"LaunchTime": time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC),
			"State":      map[string]any{"Code": int64(16), "Name": "running"},
			"Tags":       []any{map[string]any{"Key": "Name", "Value": "web"}},
		}},
	}}}
	benchRoundTrip(b, Codec{EC2: true}, api,
		"Action=DescribeInstances&Version=2016-11-15&InstanceId.1=i-0123&Filter.1.Name=instance-state-name&Filter.1.Value.1=running", out)
}
