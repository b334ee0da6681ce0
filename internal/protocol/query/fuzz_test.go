package query

import (
	"net/http/httptest"
	"testing"

	"github.com/kiricloud/kiri/internal/model"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

// FuzzDecode feeds arbitrary form bodies to both dialects: whatever the
// input, decoding returns a value or an error, never a panic, and a decoded
// value always encodes.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		"Action=CreateRole&Version=2010-05-08&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v",
		"Action=PutRolePolicy&RoleName=r&PolicyName=p&PolicyDocument=x",
		"Action=ListRoles&MaxItems=5&Marker=",
		"Action=DescribeInstances&Filter.1.Name=a&Filter.1.Value.1=b&InstanceId.999999999999=i",
		"Action=RunInstances&MinCount=1&MaxCount=1&BlockDeviceMapping.1.Ebs.VolumeSize=8&TagSpecification.1.Tag.1.Key=k",
		"Action=CreateRole&Tags.member.0.Key=x&Tags.member.-1.Key=y&Tags..member=z&Tags.member=&.=&==",
		"Action=%zz&Version",
	} {
		f.Add(seed)
	}
	iamAPI := xmltest.LoadAPI(f, "iam")
	ec2API := xmltest.LoadAPI(f, "ec2")
	f.Fuzz(func(t *testing.T, body string) {
		for _, c := range []struct {
			codec Codec
			api   *model.API
		}{{Codec{}, iamAPI}, {Codec{EC2: true}, ec2API}} {
			api := c.api
			r := formRequest(body)
			op, err := c.codec.Operation(api, r, []byte(body))
			if err != nil {
				continue
			}
			in, err := c.codec.Decode(api, op, r, []byte(body))
			if err != nil {
				continue
			}
			// Echo the input back through the encoder where the shapes
			// allow it: the input shape is not the output shape, but any
			// value must encode without panicking.
			c.codec.EncodeOutput(httptest.NewRecorder(), api, op, in, "id")
		}
	})
}
