// Package pattern implements the JSON pattern language shared by EventBridge
// event patterns and SNS subscription filter policies: one compiler and one
// matcher, with a Dialect selecting each service's small differences.
//
// Language (AWS docs: "Amazon EventBridge event patterns", "Content
// filtering in Amazon EventBridge event patterns", "Amazon SNS subscription
// filter policies"):
//
//   - A pattern is a JSON object. Keys are event fields; an object value
//     descends into a nested field, an array value lists acceptable values
//     (OR). All keys must match (AND).
//   - Values: strings (case-sensitive), numbers (numeric equality, 5 == 5.0),
//     true/false, null (matches a JSON null, not an absent field).
//   - An event array matches if any element matches; an event array of
//     objects matches a nested pattern if one element matches all of it.
//   - Operators, one per {...} in a value list: prefix / suffix (optionally
//     {"equals-ignore-case": s}), equals-ignore-case, wildcard (EventBridge
//     only), anything-but (value, list, or {prefix|suffix|equals-ignore-case|
//     wildcard}), numeric ([op, n] or [">"/">=", lo, "<"/"<=", hi]; op one of
//     = < <= > >=), exists (true: a leaf value is present; false: absent,
//     also matches an object-valued field since only leaves "exist"), cidr
//     (IPv4 and IPv6).
//   - "$or": [ {...}, {...} ] at any object level: one branch must match the
//     same object. A "$or" whose value is not an array of objects is an
//     ordinary field name, as in AWS.
//
// Differences implemented for the SNS dialect (CompileFilterPolicy):
//
//   - "{}" compiles and matches everything (SNS's way to clear a policy);
//     EventBridge rejects empty objects.
//   - no "wildcard" operator.
//   - numeric operands limited to [-1e9, 1e9] (EventBridge [-5e9, 5e9]).
//   - at most 5 keys and 150 value combinations.
//   - scope MessageAttributes: keys are attribute names, nested objects are
//     rejected; String/Number/String.Array attributes are compared (Number
//     numerically, String.Array element-wise), Binary ones are invisible.
//     Scope MessageBody behaves like EventBridge on the JSON body.
//
// Errors are *Error with an AWS-style Reason; Error() prefixes it the way
// each service words InvalidEventPatternException / InvalidParameter.
package pattern
