package e2e

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/kiricloud/kiri/internal/app"
)

// sdkConfig is an aws-sdk-go-v2 configuration aimed at kiri.
func sdkConfig(k *app.Kiri, accessKey, secret, token string) aws.Config {
	return endpointConfig(k.Endpoint(), accessKey, secret, token)
}

func endpointConfig(endpoint, accessKey, secret, token string) aws.Config {
	return aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider(accessKey, secret, token),
		BaseEndpoint: aws.String(endpoint),
	}
}

func TestCLIGetCallerIdentity(t *testing.T) {
	requireTool(t, "aws", "--version")
	k := startKiri(t, "")
	out, err := awsCLI(t, k, "", "--endpoint-url", k.Endpoint(), "sts", "get-caller-identity")
	if err != nil {
		t.Fatal(err)
	}
	id := decodeJSON(t, out)
	if id["Account"] != "000000000000" || id["Arn"] != "arn:aws:iam::000000000000:root" {
		t.Fatalf("get-caller-identity: %v", id)
	}
}

// TestSeed003IAMCommands runs the IAM commands of seed 003 as printed, from
// the seed's folder (they read file://policy.json and file://assumeRole.json),
// and checks the fields the seed prints (spec §11.2, D3:98–156).
func TestSeed003IAMCommands(t *testing.T) {
	requireTool(t, "aws", "--version")
	k := startKiri(t, "")
	dir := seedDir(t, "003-eventbridge-kinesis")
	cmds := seedCommands(t, dir, "aws iam")
	if len(cmds) != 3 {
		t.Fatalf("expected 3 IAM commands in the seed, found %d: %q", len(cmds), cmds)
	}

	policy := decodeJSON(t, shell(t, k, dir, cmds[0]))["Policy"].(map[string]any)
	want := map[string]any{"PolicyName": "EventBridge-Invoke-Kinesis", "Path": "/", "DefaultVersionId": "v1",
		"AttachmentCount": 0.0, "PermissionsBoundaryUsageCount": 0.0, "IsAttachable": true,
		"Arn": "arn:aws:iam::000000000000:policy/EventBridge-Invoke-Kinesis"}
	for f, v := range want {
		if policy[f] != v {
			t.Errorf("create-policy %s = %v, want %v", f, policy[f], v)
		}
	}
	for _, f := range []string{"PolicyId", "CreateDate", "UpdateDate"} {
		if policy[f] == nil || policy[f] == "" {
			t.Errorf("create-policy lacks %s", f)
		}
	}

	role := decodeJSON(t, shell(t, k, dir, cmds[1]))["Role"].(map[string]any)
	if role["RoleName"] != "EventBridge-Kinesis-role" || role["Path"] != "/" ||
		role["Arn"] != "arn:aws:iam::000000000000:role/EventBridge-Kinesis-role" || role["RoleId"] == nil || role["CreateDate"] == nil {
		t.Errorf("create-role: %v", role)
	}
	var trust any
	data, _ := os.ReadFile(filepath.Join(dir, "assumeRole.json"))
	_ = json.Unmarshal(data, &trust)
	if !reflect.DeepEqual(role["AssumeRolePolicyDocument"], trust) {
		t.Errorf("AssumeRolePolicyDocument = %v, want the JSON object of assumeRole.json", role["AssumeRolePolicyDocument"])
	}

	// The seed prints the policy ARN with its account masked; its README
	// says to put the real account id there.
	attach := strings.ReplaceAll(cmds[2], "xxxxxxxxxxx", "000000000000")
	if out := shell(t, k, dir, attach); strings.TrimSpace(out) != "" {
		t.Errorf("attach-role-policy printed %q", out)
	}
	out, err := awsCLI(t, k, dir, "iam", "list-attached-role-policies", "--role-name", "EventBridge-Kinesis-role")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "arn:aws:iam::000000000000:policy/EventBridge-Invoke-Kinesis") {
		t.Errorf("policy not attached: %s", out)
	}
}

func TestBoto3IAMAndSTS(t *testing.T) {
	requireTool(t, "python3", "-c", "import boto3")
	k := startKiri(t, "")
	out := python(t, k, `
import boto3, json
iam = boto3.client('iam')
sts = boto3.client('sts')
print(json.dumps(sts.get_caller_identity()['Account']))
doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
role = iam.create_role(RoleName='role-lambdaexec', AssumeRolePolicyDocument=json.dumps(doc))['Role']
assert role['AssumeRolePolicyDocument'] == doc, role
iam.attach_role_policy(RoleName='role-lambdaexec', PolicyArn='arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole')
attached = iam.list_attached_role_policies(RoleName='role-lambdaexec')['AttachedPolicies']
assert attached[0]['PolicyName'] == 'AWSLambdaBasicExecutionRole', attached
try:
    iam.get_role(RoleName='nope')
    raise SystemExit('get_role of a missing role succeeded')
except iam.exceptions.NoSuchEntityException as e:
    assert e.response['ResponseMetadata']['HTTPStatusCode'] == 404
creds = sts.assume_role(RoleArn=role['Arn'], RoleSessionName='s1')['Credentials']
assert creds['AccessKeyId'].startswith('ASIA'), creds
who = boto3.client('sts', aws_access_key_id=creds['AccessKeyId'], aws_secret_access_key=creds['SecretAccessKey'],
                   aws_session_token=creds['SessionToken']).get_caller_identity()
print(json.dumps(who['Arn']))
`)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || lines[0] != `"000000000000"` || lines[1] != `"arn:aws:sts::000000000000:assumed-role/role-lambdaexec/s1"` {
		t.Fatalf("boto3 output: %q", out)
	}
}

func TestGoSDKIAMAndSTS(t *testing.T) {
	k := startKiri(t, "")
	ctx := context.Background()
	cfg := sdkConfig(k, "AKIAEXAMPLEKEY000001", "secret", "")
	iamc := iam.NewFromConfig(cfg)
	for _, name := range []string{"a", "b", "c"} {
		if _, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("role-" + name),
			AssumeRolePolicyDocument: aws.String(lambdaTrust)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pages := iam.NewListRolesPaginator(iamc, &iam.ListRolesInput{MaxItems: aws.Int32(2)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Roles {
			names = append(names, *r.RoleName)
		}
	}
	if strings.Join(names, ",") != "role-a,role-b,role-c" {
		t.Fatalf("paginated roles: %v", names)
	}

	user, err := iamc.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("devuser")})
	if err != nil {
		t.Fatal(err)
	}
	key, err := iamc.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("devuser")})
	if err != nil {
		t.Fatal(err)
	}
	asUser := sts.NewFromConfig(sdkConfig(k, *key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
	who, err := asUser.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if *who.Arn != *user.User.Arn || *who.UserId != *user.User.UserId {
		t.Fatalf("caller %v %v, want %v %v", *who.Arn, *who.UserId, *user.User.Arn, *user.User.UserId)
	}

	// A 12-digit access key acts in that account.
	other := sts.NewFromConfig(sdkConfig(k, "111122223333", "x", ""))
	who, err = other.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || *who.Account != "111122223333" {
		t.Fatalf("12-digit key: %v %v", who, err)
	}
}

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
