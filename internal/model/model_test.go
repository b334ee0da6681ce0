package model

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// sdkModels locates the models directory of the pinned aws-sdk-go module.
func sdkModels(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/aws/aws-sdk-go").Output()
	if err != nil || strings.TrimSpace(string(out)) == "" {
		t.Skipf("aws-sdk-go module not available: %v", err)
	}
	return filepath.Join(strings.TrimSpace(string(out)), "models")
}

func loadAPI(t *testing.T, service string) *API {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(sdkModels(t), "apis", service, "*", "api-2.json"))
	if len(matches) == 0 {
		t.Fatalf("no model for %s", service)
	}
	data, err := os.ReadFile(matches[len(matches)-1])
	if err != nil {
		t.Fatal(err)
	}
	api, err := Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

func TestLoadKeepsMemberOrder(t *testing.T) {
	api := loadAPI(t, "iam")
	role := api.Shapes["Role"]
	if role.Members[0].Name != "Path" || role.Members[1].Name != "RoleName" {
		t.Fatalf("member order lost: %v, %v", role.Members[0].Name, role.Members[1].Name)
	}
	if api.Operations["CreateRole"].Output.ResultWrapper != "CreateRoleResult" {
		t.Fatal("resultWrapper not read")
	}
	if api.Shapes["NoSuchEntityException"].ErrorCode() != "NoSuchEntity" || api.Shapes["NoSuchEntityException"].ErrorStatus() != 404 {
		t.Fatal("error info not read")
	}
}

func TestValidateDynamoDBMessage(t *testing.T) {
	api := loadAPI(t, "dynamodb")
	in := api.Operations["DescribeTable"].Input.Shape
	got := ValidationMessage(Validate(in, map[string]any{}))
	want := "1 validation error detected: Value null at 'tableName' failed to satisfy constraint: Member must not be null"
	if got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	vs := Validate(in, map[string]any{"TableName": "a"})
	if len(vs) != 1 || !strings.Contains(vs[0].String(), "Member must have length greater than or equal to 1") {
		// TableArn allows short names; only require that something sensible is reported or nothing.
		if len(vs) != 0 {
			t.Fatalf("unexpected: %v", vs)
		}
	}
	ct := api.Operations["CreateTable"].Input.Shape
	vs = Validate(ct, map[string]any{"TableName": "t", "KeySchema": []any{map[string]any{"AttributeName": "id", "KeyType": "BAD"}},
		"AttributeDefinitions": []any{map[string]any{"AttributeName": "id", "AttributeType": "S"}}})
	msg := ValidationMessage(vs)
	if !strings.Contains(msg, "Value 'BAD' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]") {
		t.Fatalf("enum path: %s", msg)
	}
}

func TestAllServiceModelsLoad(t *testing.T) {
	for _, s := range []string{"ec2", "iam", "sts", "lambda", "logs", "events", "kinesis", "iot", "iot-data", "dynamodb",
		"streams.dynamodb", "s3", "apigateway", "email", "sqs", "sns", "cloudformation"} {
		api := loadAPI(t, s)
		if len(api.Operations) == 0 {
			t.Errorf("%s: no operations", s)
		}
		for _, sh := range api.Shapes {
			if sh.Pattern != "" {
				compilePattern(sh.Pattern)
			}
		}
	}
}
