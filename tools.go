//go:build tools

// This file pins modules that kiri reads at generate and test time but does
// not link: aws-sdk-go carries the AWS API models and protocol test suites.
package tools

import _ "github.com/aws/aws-sdk-go/aws"
