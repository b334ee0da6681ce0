package gateway

import "testing"

func TestFunctionURLID(t *testing.T) {
	const id = "7osdojs7mirjlllli2hw3vepot6xfmys"
	for host, want := range map[string]string{
		id + ".lambda-url.us-east-1.localhost:4566": id,
		id + ".lambda-url.eu-west-1.localhost":      id,
		id + ".lambda-url.us-east-1.on.aws":         id,
		"mybucket.localhost:4566":                   "",
		"short.lambda-url.us-east-1.localhost":      "",
		id + ".lambda-url.localhost":                "",
		"127.0.0.1:4566":                            "",
	} {
		if got := FunctionURLID(host); got != want {
			t.Errorf("FunctionURLID(%q) = %q, want %q", host, got, want)
		}
	}
}
