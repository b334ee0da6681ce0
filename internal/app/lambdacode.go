package app

import (
	"net/http"
	"strings"

	lambdaservice "github.com/kiricloud/kiri/internal/service/lambda"
)

// lambdaCodePrefix is where GetFunction's Code.Location points: kiri serves
// the deployment package itself, as AWS serves it from a presigned S3 URL.
const lambdaCodePrefix = "/_kiri/lambda/code/"

// lambdaCode serves /_kiri/lambda/code/<account>/<region>/<name>/<rev>.zip.
func lambdaCode(svc *lambdaservice.Service) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		parts := strings.Split(strings.TrimPrefix(r.URL.Path, lambdaCodePrefix), "/")
		if len(parts) != 4 || !strings.HasSuffix(parts[3], ".zip") || !safeParts(parts) {
			http.NotFound(w, r)
			return
		}
		rev := strings.TrimSuffix(parts[3], ".zip")
		w.Header().Set("Content-Type", "application/zip")
		http.ServeFile(w, r, svc.CodePath(parts[0], parts[1], parts[2], rev))
	})
}

// safeParts refuses path parts that could climb out of the code directory.
func safeParts(parts []string) bool {
	for _, p := range parts {
		if p == "" || p == "." || p == ".." || strings.ContainsAny(p, `\`) {
			return false
		}
	}
	return true
}
