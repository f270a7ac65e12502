package topology

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/sourceflow-go/sourceflow/internal/fieldcheck"
)

// Provisioning says what a Provisioner does with the resources of a Plan.
type Provisioning int

const (
	// ProvisionCreate creates what is missing and reconciles what the
	// service owns; a second run changes nothing. The default.
	ProvisionCreate Provisioning = iota
	// ProvisionValidate changes nothing and fails with a *DriftError listing
	// every difference between AWS and the plan, and what Validate reports
	// as not checked: a topic whose ARN cannot be built and, with
	// ProvisionerConfig.KMS, a key that cannot be read.
	ProvisionValidate
	// ProvisionAssume only resolves names to URLs and ARNs, for
	// infrastructure managed as code.
	ProvisionAssume
)

// Valid reports whether p is one of the three modes.
func (p Provisioning) Valid() bool { return p >= ProvisionCreate && p <= ProvisionAssume }

// Validate reports a mode that is not one of the three.
func (p Provisioning) Validate() error {
	if !p.Valid() {
		return fmt.Errorf("Provisioning: %d, must be create, validate or assume", int(p))
	}
	return nil
}

// String returns "create", "validate" or "assume".
func (p Provisioning) String() string {
	switch p {
	case ProvisionCreate:
		return "create"
	case ProvisionValidate:
		return "validate"
	case ProvisionAssume:
		return "assume"
	}
	return "Provisioning(" + strconv.Itoa(int(p)) + ")"
}

// ProvisionerConfig configures a Provisioner.
type ProvisionerConfig struct {
	// SQS reads, creates and reconciles queues. Required.
	SQS SQSAPI
	// SNS reads, creates and reconciles topics and subscriptions. Required.
	SNS SNSAPI
	// STS finds the account (GetCallerIdentity) when ARNs must be built
	// and no queue ARN reveals it (Validate and Assume with no queue in
	// place, Create of a service that consumes no queue making a queue it
	// sends to). Optional, but without it or AccountID such a Create fails.
	STS STSAPI
	// Region is the region of the clients, used to build topic ARNs when no
	// queue ARN gives it (aws.Config.Region).
	Region string
	// AccountID is the account of the resources. Optional: it is read from a
	// queue ARN or from STS when needed.
	AccountID string
	// DynamoDB creates and describes the plan's tables. Required when a plan
	// has tables.
	DynamoDB TablesAPI
	// KMS reads the plan's KMS key in Validate: that it exists and is
	// enabled and, when the plan has topics, that it is customer managed
	// and its key policy lets SNS use it (kms:DescribeKey, kms:GetKeyPolicy).
	// Optional: without it Validate does not check the key. The sourceflow
	// CLI gives one; the transport does not, so a service's role needs no
	// kms:GetKeyPolicy.
	KMS KMSAPI
}

// Validate reports every missing client, a client that is a typed nil (a
// *sqs.Client variable never assigned) and an AccountID that is not 12
// digits, each naming its field.
func (c ProvisionerConfig) Validate() error {
	errs := []error{ValidateAccountID(c.AccountID)}
	errs = append(errs, fieldcheck.Set("SQS", c.SQS), fieldcheck.Set("SNS", c.SNS),
		fieldcheck.NotTypedNil("STS", c.STS), fieldcheck.NotTypedNil("DynamoDB", c.DynamoDB),
		fieldcheck.NotTypedNil("KMS", c.KMS))
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	return nil
}

// canTable fails when p has tables and the Provisioner no DynamoDB client.
func (t *Provisioner) canTable(p Plan) error {
	if len(p.Tables) > 0 && t.cfg.DynamoDB == nil {
		return fmt.Errorf("%w: the plan has %d DynamoDB table(s) and ProvisionerConfig.DynamoDB is nil", ErrInvalidConfig, len(p.Tables))
	}
	return nil
}

// Provisioner runs a Plan against AWS in one of three modes: Create,
// Validate and Assume. It also reports the health of a Plan's resources.
type Provisioner struct {
	sqs SQSAPI
	sns SNSAPI
	cfg ProvisionerConfig
}

// NewProvisioner returns a Provisioner over the clients of cfg.
func NewProvisioner(cfg ProvisionerConfig) (*Provisioner, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Provisioner{sqs: cfg.SQS, sns: cfg.SNS, cfg: cfg}, nil
}

// Apply runs mode on p and returns the resolved endpoints by destination
// name. In Validate mode a drift fails with a *DriftError.
func (t *Provisioner) Apply(ctx context.Context, mode Provisioning, p Plan) (Endpoints, error) {
	if err := t.canTable(p); err != nil {
		return nil, err
	}
	switch mode {
	case ProvisionValidate:
		report, eps, err := t.Validate(ctx, p)
		if err != nil {
			return nil, err
		}
		if !report.OK() {
			return nil, &DriftError{Report: report}
		}
		return eps, nil
	case ProvisionAssume:
		return t.Assume(ctx, p)
	case ProvisionCreate:
		return t.Create(ctx, p)
	}
	return nil, fmt.Errorf("%w: unknown provisioning mode %d", ErrInvalidConfig, int(mode))
}
