package api

// The generator reads the AWS models from the aws-sdk-go module pinned in
// go.mod and the operation selection in internal/gen/operations.json, and
// rewrites every service package below this directory and docs/coverage.md.
//go:generate go run ../gen
