package query

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

var testCredentials = credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", "")

// The real aws-sdk-go-v2 IAM client talks to the query codec: its requests
// decode, and our responses and errors parse into its types.
func TestSDKIAM(t *testing.T) {
	api := xmltest.LoadAPI(t, "iam")
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	var got map[string]any
	url := xmltest.Serve(t, Codec{}, api, xmltest.Handlers{
		"CreateRole": func(in map[string]any) (map[string]any, error) {
			got = in
			return map[string]any{"Role": map[string]any{"Path": "/", "RoleName": in["RoleName"], "RoleId": "AROA1",
				"Arn": "arn:aws:iam::000000000000:role/r", "CreateDate": created}}, nil
		},
		"GetRole": func(in map[string]any) (map[string]any, error) {
			return nil, protocol.ModelError(api.Shapes["NoSuchEntityException"], "The role with name nobody cannot be found.")
		},
		"ListRoles": func(in map[string]any) (map[string]any, error) {
			return map[string]any{"Roles": []any{}, "IsTruncated": false}, nil
		},
	})
	client := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: testCredentials})
	ctx := context.Background()

	out, err := client.CreateRole(ctx, &iam.CreateRoleInput{
		RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17"}`),
		Tags: []iamtypes.Tag{{Key: aws.String("env"), Value: aws.String("a b+c=d")}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Role.RoleName) != "r" || !out.Role.CreateDate.Equal(created) {
		t.Fatalf("role %+v", out.Role)
	}
	wantIn := map[string]any{"RoleName": "r", "AssumeRolePolicyDocument": `{"Version":"2012-10-17"}`,
		"Tags": []any{map[string]any{"Key": "env", "Value": "a b+c=d"}}}
	if d := xmltest.Diff(got, wantIn); d != "" {
		t.Fatal(d)
	}

	_, err = client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("nobody")})
	var nse *iamtypes.NoSuchEntityException
	if !errors.As(err, &nse) || nse.ErrorMessage() != "The role with name nobody cannot be found." {
		t.Fatalf("GetRole error: %v", err)
	}

	roles, err := client.ListRoles(ctx, &iam.ListRolesInput{})
	if err != nil || len(roles.Roles) != 0 {
		t.Fatal(roles, err)
	}
}

func TestSDKSTS(t *testing.T) {
	api := xmltest.LoadAPI(t, "sts")
	url := xmltest.Serve(t, Codec{}, api, xmltest.Handlers{
		"GetCallerIdentity": func(map[string]any) (map[string]any, error) {
			return map[string]any{"Account": "000000000000", "Arn": "arn:aws:iam::000000000000:root", "UserId": "000000000000"}, nil
		},
		"AssumeRole": func(map[string]any) (map[string]any, error) {
			return nil, protocol.Errorf("AccessDenied", 403, "not authorized to perform: sts:AssumeRole")
		},
	})
	client := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: testCredentials})
	ctx := context.Background()
	id, err := client.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Account) != "000000000000" {
		t.Fatal(id, err)
	}
	_, err = client.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::000000000000:role/r"), RoleSessionName: aws.String("sess")})
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" {
		t.Fatalf("AssumeRole error: %v", err)
	}
}
