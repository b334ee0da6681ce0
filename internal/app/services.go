package app

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/kiricloud/kiri/internal/api"
	"github.com/kiricloud/kiri/internal/api/apigateway"
	"github.com/kiricloud/kiri/internal/api/cloudformation"
	"github.com/kiricloud/kiri/internal/api/dynamodb"
	"github.com/kiricloud/kiri/internal/api/dynamodbstreams"
	"github.com/kiricloud/kiri/internal/api/ec2"
	"github.com/kiricloud/kiri/internal/api/events"
	iamapi "github.com/kiricloud/kiri/internal/api/iam"
	"github.com/kiricloud/kiri/internal/api/iot"
	"github.com/kiricloud/kiri/internal/api/iotdata"
	"github.com/kiricloud/kiri/internal/api/kinesis"
	"github.com/kiricloud/kiri/internal/api/lambda"
	"github.com/kiricloud/kiri/internal/api/logs"
	"github.com/kiricloud/kiri/internal/api/s3"
	"github.com/kiricloud/kiri/internal/api/ses"
	"github.com/kiricloud/kiri/internal/api/sns"
	"github.com/kiricloud/kiri/internal/api/sqs"
	stsapi "github.com/kiricloud/kiri/internal/api/sts"
	"github.com/kiricloud/kiri/internal/gateway"
	"github.com/kiricloud/kiri/internal/mailbox"
	"github.com/kiricloud/kiri/internal/protocol"
	iamservice "github.com/kiricloud/kiri/internal/service/iam"
	lambdaservice "github.com/kiricloud/kiri/internal/service/lambda"
	"github.com/kiricloud/kiri/internal/service/lambda/esm"
	"github.com/kiricloud/kiri/internal/service/lambda/runtime"
	logsservice "github.com/kiricloud/kiri/internal/service/logs"
	snsservice "github.com/kiricloud/kiri/internal/service/sns"
	sqsservice "github.com/kiricloud/kiri/internal/service/sqs"
	stsservice "github.com/kiricloud/kiri/internal/service/sts"
	"github.com/kiricloud/kiri/internal/store"
)

// gatewayService presents a generated service identity and the handlers
// of its implementation to the gateway.
func gatewayService(info api.Info, handlers map[string]protocol.Handler) *gateway.Service {
	return &gateway.Service{
		Name: info.Name, SigningName: info.SigningName, TargetPrefix: info.TargetPrefix,
		Protocol: info.Protocol, APIVersion: info.APIVersion, EndpointPrefix: info.EndpointPrefix,
		OperationCount: info.Operations, Model: info.Model, QueryModel: info.QueryModel, Handlers: handlers,
	}
}

// services are the running services and what the gateway needs of them.
type services struct {
	gateway     []*gateway.Service
	credentials gateway.Credentials
	lambda      *lambdaservice.Service
	sqs         *sqsservice.Service
	sqsESM      *esm.SQSPoller
	sns         *snsservice.Service
	logs        *logsservice.Service
	mailbox     *mailbox.Mailbox
	engine      *runtime.Engine
	// tempDirs are removed at close: Lambda code and environments of an
	// ephemeral kiri.
	tempDirs []string
}

// buildServices creates every service kiri serves. Services not yet
// implemented are registered with their models and no handlers, so their
// requests are recognised and answered with a 501 that names the operation.
// endpoint is kiri's own URL, which functions use to reach it.
func buildServices(st store.Store, cfg Config, endpoint string, logger *slog.Logger) (*services, error) {
	sv := &services{}
	iamSvc := iamservice.New(st, cfg.Account)
	stsSvc := stsservice.New(st, iamSvc, cfg.Account)
	logsSvc := logsservice.New(st)
	sv.sqs = sqsservice.New(sqsservice.Config{Store: st, Endpoint: endpoint})
	if err := sv.startLambda(st, cfg, endpoint, logger, iamSvc, stsSvc, logsSvc); err != nil {
		return nil, err
	}

	iamGW := gatewayService(iamapi.Info, iamapi.Handlers(iamSvc))
	iamGW.Global = true
	stsGW := gatewayService(stsapi.Info, stsapi.Handlers(stsSvc))
	stsGW.Global = true
	sqsGW := gatewayService(sqs.Info, sqs.Handlers(sv.sqs))

	logsSvc.SetFunctions(logsToLambda{sv.lambda}, logger)
	sv.logs = logsSvc
	logsGW := gatewayService(logs.Info, logs.Handlers(logsSvc))
	sv.sqsESM = esm.NewSQS(esm.SQSConfig{SQS: sv.sqs, Lambda: sv.lambda, Logger: logger})
	sv.lambda.RegisterPoller("sqs", sv.sqsESM)
	sv.mailbox = mailbox.New(st)
	sv.sns = snsservice.New(snsservice.Config{Store: st, Endpoint: endpoint, Queues: snsToSQS{sv.sqs},
		Functions: snsToLambda{sv.lambda}, Mailbox: sv.mailbox, Filter: snsFilters{}, DelayScale: cfg.SNSDelayScale})
	snsGW := gatewayService(sns.Info, sns.Handlers(sv.sns))
	lambdaGW := gatewayService(lambda.Info, lambda.Handlers(sv.lambda))

	sv.gateway = []*gateway.Service{iamGW, stsGW, sqsGW, snsGW, logsGW, lambdaGW}
	for _, info := range unimplemented {
		sv.gateway = append(sv.gateway, gatewayService(info, nil))
	}
	sv.credentials = iamSvc
	return sv, nil
}

// ephemeralLambdaDir makes the directory where an ephemeral kiri keeps
// function code and environments: a temporary one, but in /var/tmp rather
// than /tmp where it can, because functions get a private /tmp only when
// their own files are not under the host's /tmp.
func ephemeralLambdaDir() (string, error) {
	if os.TempDir() == "/tmp" {
		if dir, err := os.MkdirTemp("/var/tmp", "kiri-lambda-"); err == nil {
			return dir, nil
		}
	}
	return os.MkdirTemp("", "kiri-lambda-")
}

// startLambda starts the execution engine and the Lambda service. Code and
// environments live under the data directory, or in temporary directories
// that an ephemeral kiri removes when it stops.
func (sv *services) startLambda(st store.Store, cfg Config, endpoint string, logger *slog.Logger,
	iamSvc *iamservice.Service, stsSvc *stsservice.Service, logsSvc *logsservice.Service) error {
	codeRoot, envRoot := filepath.Join(cfg.DataDir, "lambda"), filepath.Join(cfg.DataDir, "lambda-env")
	if cfg.Ephemeral {
		var err error
		if codeRoot, err = ephemeralLambdaDir(); err != nil {
			return err
		}
		envRoot = codeRoot
		sv.tempDirs = append(sv.tempDirs, codeRoot)
	} else if err := os.MkdirAll(envRoot, 0o700); err != nil {
		return err
	}
	sv.engine = runtime.New(runtime.Config{Endpoint: endpoint, AccountConcurrency: cfg.LambdaConcurrency, Logs: logsSvc, TempRoot: envRoot,
		NoMemoryLimits: !cfg.LambdaMemoryLimits, Interpreters: cfg.LambdaInterpreters, Logger: logger})
	sv.lambda = lambdaservice.New(lambdaservice.Config{Store: st, Invoker: sv.engine, CodeRoot: codeRoot, IAM: iamSvc, STS: stsSvc,
		DefaultAccount: cfg.Account, DefaultRegion: cfg.Region, AccountConcurrency: cfg.LambdaConcurrency,
		RetryDelay: cfg.LambdaRetryDelay, Endpoint: endpoint, Logger: logger, Destinations: lambdaDestinations{sv}})
	return nil
}

// close stops the Lambda worker and environments and removes temporary
// directories.
func (sv *services) close() error {
	err := sv.sns.Close()
	// Pollers stop before SQS: a closed queue answers long polls at once.
	sv.sqsESM.Close()
	sv.sqs.Close()
	// Subscription deliveries in flight reach Lambda before it stops.
	sv.logs.Close()
	err = errors.Join(err, sv.lambda.Close())
	err = errors.Join(err, sv.engine.Close())
	for _, d := range sv.tempDirs {
		err = errors.Join(err, os.RemoveAll(d))
	}
	return err
}

// unimplemented are the services whose semantics are still to come.
var unimplemented = []api.Info{apigateway.Info, cloudformation.Info, dynamodb.Info, dynamodbstreams.Info,
	ec2.Info, events.Info, iot.Info, iotdata.Info, kinesis.Info, s3.Info, ses.Info}
