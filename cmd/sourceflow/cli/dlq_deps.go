package cli

import (
	"cmp"
	"context"
	"fmt"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus"
	"github.com/sourceflow-go/sourceflow/middleware/encryption"
)

// dlqDeps are the dependencies of the dlq commands besides the clients of
// Config: the KMS client of peek --decrypt and the clock that paces
// redrive. Commands read them from their context (dlqDepsFrom), where only
// this package's tests put fakes; a command run by Run gets the defaults.
type dlqDeps struct {
	// kms returns the KMS client. Default: the SDK's default chain.
	kms func(ctx context.Context) (encryption.KMSAPI, error)
	// clock paces redrive and polls move tasks. Default SystemClock.
	clock sourceflow.Clock
}

type dlqDepsKey struct{}

// dlqDepsFrom returns the dependencies in ctx, each defaulted.
func dlqDepsFrom(ctx context.Context) dlqDeps {
	d, _ := ctx.Value(dlqDepsKey{}).(dlqDeps)
	if d.kms == nil {
		d.kms = loadKMS
	}
	if d.clock == nil {
		d.clock = sourceflow.SystemClock()
	}
	return d
}

// loadKMS builds a KMS client from the SDK's default chain, with the same
// region default and throttling retries as LoadClients.
func loadKMS(ctx context.Context) (encryption.KMSAPI, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("load the AWS configuration for KMS: %w (check AWS_PROFILE and the shared config files)", err)
	}
	cfg.Region = cmp.Or(cfg.Region, DefaultRegion)
	return kms.NewFromConfig(awsbus.WithRetries(cfg)), nil
}
