package lambda

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	lambdaapi "github.com/kiricloud/kiri/internal/api/lambda"
)

// reservedEnv are the variables Lambda sets itself and refuses to let a
// function configure (Lambda developer guide, "Defined runtime environment
// variables"). TZ is documented there too but AWS accepts it, so kiri does.
var reservedEnv = []string{
	"_HANDLER", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
}

// maxEnvSize is the quota on a function's variables, measured as JSON.
const maxEnvSize = 4096

func validateEnv(env map[string]string) error {
	if doc, _ := json.Marshal(env); len(env) > 0 && len(doc) > maxEnvSize {
		return lambdaapi.NewInvalidParameterValueException("Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: %s", doc)
	}
	var used []string
	for k := range env {
		if slices.Contains(reservedEnv, k) {
			used = append(used, k)
		}
	}
	if len(used) == 0 {
		return nil
	}
	slices.Sort(used)
	return lambdaapi.NewInvalidParameterValueException("Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: %s", strings.Join(used, ","))
}

// runtimeSupported is what the engine can run: Python and Node.js through
// kiri's bootstraps, provided.* through the package's own bootstrap. The
// 2017-era runtimes the seeds use (python2.7/3.6/3.7, nodejs6.10…) stay
// accepted although AWS has since deprecated them.
func runtimeSupported(rt string) bool {
	return strings.HasPrefix(rt, "python") || strings.HasPrefix(rt, "nodejs") ||
		rt == lambdaapi.RuntimeProvided || strings.HasPrefix(rt, "provided.")
}

func isProvided(rt string) bool {
	return rt == lambdaapi.RuntimeProvided || strings.HasPrefix(rt, "provided.")
}

func validateRuntime(rt string) error {
	if !runtimeSupported(rt) {
		// kiri-specific: AWS supports Java, .NET and Ruby; kiri's engine does not.
		return lambdaapi.NewInvalidParameterValueException("The runtime parameter of %s is not supported by kiri. Supported runtimes: python*, nodejs*, provided, provided.al2, provided.al2023.", rt)
	}
	return nil
}

func validateLimits(timeout, memory *int64) error {
	if timeout != nil && (*timeout < 1 || *timeout > 900) {
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%d' at 'timeout' failed to satisfy constraint: Member must have value %s", *timeout, bound(*timeout < 1, "greater than or equal to 1", "less than or equal to 900"))
	}
	if memory != nil && (*memory < 128 || *memory > 10240) {
		return lambdaapi.NewInvalidParameterValueException("1 validation error detected: Value '%d' at 'memorySize' failed to satisfy constraint: Member must have value %s", *memory, bound(*memory < 128, "greater than or equal to 128", "less than or equal to 10240"))
	}
	return nil
}

func bound(low bool, lo, hi string) string {
	if low {
		return lo
	}
	return hi
}

// validateRole checks that the execution role exists in IAM and that its
// trust policy lets Lambda assume it, as AWS checks before it accepts a
// function.
func (s *Service) validateRole(ctx context.Context, role string) error {
	if s.cfg.IAM == nil {
		return nil
	}
	info, found, err := s.cfg.IAM.RoleByArn(ctx, role)
	if err != nil {
		return err
	}
	if !found || !info.TrustsService("lambda.amazonaws.com") {
		return lambdaapi.NewInvalidParameterValueException("The role defined for the function cannot be assumed by Lambda.")
	}
	return nil
}

// validateConfig checks the settings that CreateFunction and
// UpdateFunctionConfiguration share, on the resulting configuration.
func (s *Service) validateConfig(ctx context.Context, c *fnConfig, roleChanged bool) error {
	if err := validateRuntime(c.Runtime); err != nil {
		return err
	}
	if c.Handler == "" && !isProvided(c.Runtime) {
		return lambdaapi.NewInvalidParameterValueException("Runtime and Handler are mandatory parameters for functions created with deployment packages.")
	}
	if err := validateLimits(&c.Timeout, &c.MemorySize); err != nil {
		return err
	}
	if err := validateEnv(c.Env); err != nil {
		return err
	}
	if roleChanged {
		if err := s.validateRole(ctx, c.Role); err != nil {
			return err
		}
		return s.validateVpcRole(ctx, c.Role, c.Subnets)
	}
	return nil
}

// vpcActions are what Lambda does with a VPC function's role to attach it
// to its subnets (the permissions AWSLambdaVPCAccessExecutionRole grants),
// in the order they are checked.
var vpcActions = []string{"CreateNetworkInterface", "DescribeNetworkInterfaces", "DeleteNetworkInterface"}

// validateVpcRole checks, for a function connected to subnets, that its
// execution role lets Lambda manage the function's network interfaces, as
// AWS checks before it accepts the configuration. The actions are judged
// on resource "*", where AWSLambdaVPCAccessExecutionRole grants them.
func (s *Service) validateVpcRole(ctx context.Context, role string, subnets []string) error {
	if s.cfg.IAM == nil || len(subnets) == 0 {
		return nil
	}
	perms, _, err := s.cfg.IAM.RolePermissions(ctx, role)
	if err != nil {
		return err
	}
	for _, action := range vpcActions {
		if !perms.Allows("ec2:"+action, "*") { // a nil perms (no such role) allows nothing
			return lambdaapi.NewInvalidParameterValueException("The provided execution role does not have permissions to call %s on EC2", action)
		}
	}
	return nil
}
