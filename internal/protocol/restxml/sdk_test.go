package restxml

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/kiricloud/kiri/internal/protocol"
	"github.com/kiricloud/kiri/internal/protocol/xmlbody/xmltest"
)

// The real aws-sdk-go-v2 S3 client talks to the rest-xml codec.
func TestSDKS3(t *testing.T) {
	api := s3API(t)
	inputs := map[string]map[string]any{}
	record := func(op string, out map[string]any) func(map[string]any) (map[string]any, error) {
		return func(in map[string]any) (map[string]any, error) {
			inputs[op] = in
			return out, nil
		}
	}
	modified := time.Date(2024, 3, 4, 5, 6, 7, 0, time.UTC)
	url := xmltest.Serve(t, Codec{}, api, xmltest.Handlers{
		"CreateBucket": record("CreateBucket", map[string]any{"Location": "/b"}),
		"ListBuckets": record("ListBuckets", map[string]any{"Buckets": []any{map[string]any{"Name": "b", "CreationDate": modified}},
			"Owner": map[string]any{"ID": "id"}}),
		"PutObject": record("PutObject", map[string]any{"ETag": `"etag"`}),
		"GetObject": func(in map[string]any) (map[string]any, error) {
			if in["Key"] != "k 1/x.txt" {
				e := protocol.ModelError(api.Shapes["NoSuchKey"], "The specified key does not exist.")
				e.Fields = map[string]any{"Key": in["Key"]}
				return nil, e
			}
			return map[string]any{"Body": []byte("hello"), "ContentLength": int64(5), "LastModified": modified,
				"Metadata": map[string]any{"color": "blue"}}, nil
		},
		"HeadObject": func(map[string]any) (map[string]any, error) {
			return nil, protocol.ModelError(api.Shapes["NoSuchKey"], "Not Found")
		},
		"GetBucketLocation": record("GetBucketLocation", map[string]any{"LocationConstraint": "eu-west-1"}),
		"DeleteObjects": record("DeleteObjects", map[string]any{
			"Deleted": []any{map[string]any{"Key": "a"}},
			"Errors":  []any{map[string]any{"Key": "b", "Code": "AccessDenied", "Message": "Access Denied"}}}),
		"ListObjectsV2": record("ListObjectsV2", map[string]any{"Name": "b", "KeyCount": int64(1), "IsTruncated": false,
			"Contents":       []any{map[string]any{"Key": "a&b", "Size": int64(3), "LastModified": modified}},
			"CommonPrefixes": []any{map[string]any{"Prefix": "dir/"}}}),
		"PutBucketNotificationConfiguration": record("PutBucketNotificationConfiguration", nil),
	})
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(url), UsePathStyle: true,
		Credentials:                credentials.NewStaticCredentialsProvider("AKIAEXAMPLE", "secret", ""),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
	})
	ctx := context.Background()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("b"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: types.BucketLocationConstraintEuWest1}})
	check(err)
	if d := xmltest.Diff(inputs["CreateBucket"], map[string]any{"Bucket": "b",
		"CreateBucketConfiguration": map[string]any{"LocationConstraint": "eu-west-1"}}); d != "" {
		t.Fatal(d)
	}

	lb, err := client.ListBuckets(ctx, &s3.ListBucketsInput{})
	check(err)
	if len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "b" || !lb.Buckets[0].CreationDate.Equal(modified) {
		t.Fatalf("ListBuckets: %+v", lb.Buckets)
	}

	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("k 1/x.txt"),
		Body: bytes.NewReader([]byte("hello")), Metadata: map[string]string{"color": "blue"}})
	check(err)
	put := inputs["PutObject"]
	if string(put["Body"].([]byte)) != "hello" || put["Key"] != "k 1/x.txt" || xmltest.Diff(put["Metadata"], map[string]any{"color": "blue"}) != "" {
		t.Fatalf("PutObject input: %v", put)
	}

	obj, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k 1/x.txt")})
	check(err)
	data, _ := io.ReadAll(obj.Body)
	if string(data) != "hello" || obj.Metadata["color"] != "blue" || !obj.LastModified.Equal(modified) {
		t.Fatalf("GetObject: %q %+v", data, obj)
	}

	_, err = client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("missing")})
	var nsk *types.NoSuchKey
	if !errors.As(err, &nsk) {
		t.Fatalf("GetObject missing: %v", err)
	}

	_, err = client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("b"), Key: aws.String("missing")})
	var nf *types.NotFound
	if !errors.As(err, &nf) {
		t.Fatalf("HeadObject missing: %v", err)
	}

	loc, err := client.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: aws.String("b")})
	check(err)
	if loc.LocationConstraint != types.BucketLocationConstraintEuWest1 {
		t.Fatalf("GetBucketLocation: %q", loc.LocationConstraint)
	}

	del, err := client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("b"), Delete: &types.Delete{
		Objects: []types.ObjectIdentifier{{Key: aws.String("a")}, {Key: aws.String("b")}}}})
	check(err)
	if len(del.Deleted) != 1 || len(del.Errors) != 1 || aws.ToString(del.Errors[0].Code) != "AccessDenied" {
		t.Fatalf("DeleteObjects: %+v", del)
	}
	if d := xmltest.Diff(inputs["DeleteObjects"]["Delete"], map[string]any{
		"Objects": []any{map[string]any{"Key": "a"}, map[string]any{"Key": "b"}}}); d != "" {
		t.Fatal(d)
	}

	list, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("b"), Delimiter: aws.String("/")})
	check(err)
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "a&b" || len(list.CommonPrefixes) != 1 {
		t.Fatalf("ListObjectsV2: %+v", list)
	}

	_, err = client.PutBucketNotificationConfiguration(ctx, &s3.PutBucketNotificationConfigurationInput{
		Bucket: aws.String("b"),
		NotificationConfiguration: &types.NotificationConfiguration{
			LambdaFunctionConfigurations: []types.LambdaFunctionConfiguration{{
				LambdaFunctionArn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:f"),
				Events:            []types.Event{"s3:ObjectCreated:*"},
				Filter: &types.NotificationConfigurationFilter{Key: &types.S3KeyFilter{
					FilterRules: []types.FilterRule{{Name: types.FilterRuleNameSuffix, Value: aws.String(".jpg")}}}},
			}},
		},
	})
	check(err)
	want := map[string]any{"LambdaFunctionConfigurations": []any{map[string]any{
		"LambdaFunctionArn": "arn:aws:lambda:us-east-1:000000000000:function:f",
		"Events":            []any{"s3:ObjectCreated:*"},
		"Filter":            map[string]any{"Key": map[string]any{"FilterRules": []any{map[string]any{"Name": "suffix", "Value": ".jpg"}}}},
	}}}
	if d := xmltest.Diff(inputs["PutBucketNotificationConfiguration"]["NotificationConfiguration"], want); d != "" {
		t.Fatal(d)
	}
}
