// Package auth reads and checks AWS request signatures for kiri's gateway.
//
// It knows signing schemes, not services: Parse tells who signed a request
// and for which credential-scope service and region, Verify recomputes the
// signature from the secret kiri's IAM issued, and ChunkedReader undoes the
// aws-chunked framing S3 uploads use.
//
// Recognised forms:
//
//   - SigV4 Authorization header (AWS4-HMAC-SHA256) and presigned query
//     (X-Amz-Algorithm, X-Amz-Credential, ...), for every service. S3 signs
//     the path as sent; the others normalise it and encode it a second time.
//   - SigV2 as S3 uses it: "Authorization: AWS AKID:sig" and presigned
//     AWSAccessKeyId/Signature/Expires URLs, which boto3 still emits by
//     default.
//   - SigV4a (AWS4-ECDSA-P256-SHA256) is parsed, so the caller learns the
//     access key, but Verify reports it as unsupported.
//
// Anything else, including a missing Authorization header or a non-AWS
// scheme such as a bearer token, is anonymous: Parse returns (nil, nil).
//
// Errors are *Error values carrying the AWS code, message and HTTP status a
// real endpoint would send; match them with errors.Is against the Err*
// sentinels, which compare by Kind.
//
// Typical gateway use:
//
//	sig, err := auth.Parse(r)
//	if err != nil { /* render err.(*auth.Error) */ }
//	if sig != nil && enforce {
//		secret := iam.SecretFor(sig.AccessKey)
//		err = auth.Verify(r, body, sig, secret, time.Now())
//	}
//	if cr, ok, err := auth.ChunkedBody(r, sig, secret); ok { /* read cr, then cr.Trailer() */ }
package auth
