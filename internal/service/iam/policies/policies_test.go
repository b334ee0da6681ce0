package policies

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
)

// The managed policies the seed documents name (spec §11.3), with the
// paths AWS files them under.
var required = map[string]string{
	"AWSLambdaFullAccess":             "/",
	"AWSLambdaReadOnlyAccess":         "/",
	"AWSLambdaRole":                   "/service-role/",
	"AWSLambdaBasicExecutionRole":     "/service-role/",
	"AWSLambdaKinesisExecutionRole":   "/service-role/",
	"AWSLambdaDynamoDBExecutionRole":  "/service-role/",
	"AWSLambdaVPCAccessExecutionRole": "/service-role/",
	"AmazonS3FullAccess":              "/",
	"AmazonDynamoDBFullAccess":        "/",
	"AmazonSESFullAccess":             "/",
	"AmazonSQSFullAccess":             "/",
	"AmazonSNSFullAccess":             "/",
	"AmazonAPIGatewayAdministrator":   "/",
	"IAMUserChangePassword":           "/",
	"AmazonEC2FullAccess":             "/",
}

func TestCatalogueHasTheSeedsPolicies(t *testing.T) {
	for name, path := range required {
		p, ok := ByArn("arn:aws:iam::aws:policy" + path + name)
		if !ok {
			t.Errorf("%s missing", name)
			continue
		}
		if p.Name != name || p.Path != path {
			t.Errorf("%s: %+v", name, p)
		}
	}
}

func TestCatalogueEntriesAreWellFormed(t *testing.T) {
	all := All()
	if len(all) < len(required) {
		t.Fatalf("%d policies", len(all))
	}
	ids := map[string]string{}
	for i, p := range all {
		if i > 0 && all[i-1].Name >= p.Name {
			t.Errorf("not sorted at %s", p.Name)
		}
		if !regexp.MustCompile(`^ANPA[A-Z0-9]{17}$`).MatchString(p.ID) {
			t.Errorf("%s: id %q", p.Name, p.ID)
		}
		if other, dup := ids[p.ID]; dup {
			t.Errorf("%s and %s share id %s", p.Name, other, p.ID)
		}
		ids[p.ID] = p.Name
		if !regexp.MustCompile(`^v[1-9][0-9]*$`).MatchString(p.DefaultVersionID) || p.Description == "" ||
			p.CreateDate.IsZero() || p.UpdateDate.Before(p.CreateDate) {
			t.Errorf("%s: %+v", p.Name, p)
		}
		var doc struct {
			Version   string
			Statement any // one statement or a list
		}
		if err := json.Unmarshal([]byte(p.Document), &doc); err != nil || doc.Version != "2012-10-17" || doc.Statement == nil {
			t.Errorf("%s: document %v", p.Name, err)
		}
		if !strings.HasPrefix(p.Document, "{\n  \"Version\": \"2012-10-17\",") {
			t.Errorf("%s: document does not begin with its Version: %.40q", p.Name, p.Document)
		}
	}
}

func TestLambdaPoliciesGrantWhatTheBookSays(t *testing.T) {
	// Table 2-2 (B:736–741): AWSLambdaRole is lambda:InvokeFunction only,
	// AWSLambdaReadOnlyAccess has no lambda:InvokeFunction.
	role, _ := ByArn("arn:aws:iam::aws:policy/service-role/AWSLambdaRole")
	if !strings.Contains(role.Document, `"lambda:InvokeFunction"`) || strings.Count(role.Document, `"lambda:`) != 1 {
		t.Errorf("AWSLambdaRole = %s", role.Document)
	}
	ro, _ := ByArn("arn:aws:iam::aws:policy/AWSLambdaReadOnlyAccess")
	if strings.Contains(ro.Document, "InvokeFunction") || !strings.Contains(ro.Document, `"lambda:Get*"`) {
		t.Errorf("AWSLambdaReadOnlyAccess = %s", ro.Document)
	}
	basic, _ := ByArn("arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
	for _, action := range []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"} {
		if !strings.Contains(basic.Document, action) {
			t.Errorf("AWSLambdaBasicExecutionRole lacks %s", action)
		}
	}
}

func TestIDIsStable(t *testing.T) {
	a, b := ID("arn:aws:iam::aws:policy/X"), ID("arn:aws:iam::aws:policy/X")
	if a != b || a == ID("arn:aws:iam::aws:policy/Y") || len(a) != 21 {
		t.Fatalf("%s %s", a, b)
	}
}
