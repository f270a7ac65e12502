package cli

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/spf13/cobra"

	"github.com/sourceflow-go/sourceflow/awsbus/topology"
)

const iamPolicyLong = `iam-policy prints the least-privilege IAM policy (a JSON policy document) of
the service of a topology file: only the actions its awsbus transport and
DynamoDB stores call at run time, each only on the service's queues,
dead-letter queues, topics, KMS key and tables, plus the calls of its
provisioning mode (--provisioning, the transport's and the stores'
Config.Provisioning). Attach it to the service's role.

It makes no AWS call, so the account of the ARNs must be given: --account-id
or AWS_ACCOUNT_ID (required). The region is --region, else the SDK's own
configuration as for the other commands (AWS_REGION, or the region of the
profile in the shared config files), else us-east-1. A key named by an alias is granted on the keys carrying that alias
(condition kms:ResourceAliases).

With --key-policy it prints instead the statements the policy of the file's
KMS key needs for encryption at rest: SNS may generate and decrypt data keys
for the service's topics, to store their messages under the key and deliver
them to its queues encrypted under it. Add them to the key's policy; a key
that sourceflow export creates has them already.

Each of the service's resources is named by its ARN in one statement,
which grants it every action the service needs on it; resources that are
the same thing to the service share the statement, whose Sid says what
that is (CommandQueues, ConsumedQueues, DeadLetterQueues, Topics,
SubscribedTopics, Tables, ...) and does not change when resources are
added. The policy still grows with the resources: one
over IAM's quota for a managed policy (6,144 characters without white
space; some thirty listened topics) is printed all the same, with a warning
on standard error.

--provisioning defaults to create, which lets the running service change
what it creates (queue attributes and policies, topic attributes, the
subscriptions of the topics it listens to): when the mode is not given, a
note on standard error says so. For a production runtime role, prefer
--provisioning assume and run sourceflow apply from a deploy role.`

// iamFlags are the flags of iam-policy.
type iamFlags struct {
	path, service, provisioning, region string
	keyPolicy                           bool
}

func newIAMPolicyCommand(g *globals) *cobra.Command {
	var f iamFlags
	cmd := flagCommand(&cobra.Command{
		Use:   "iam-policy -f FILE [--service NAME]",
		Short: "Print the least-privilege IAM policy of a service",
		Long:  iamPolicyLong,
		Example: "  sourceflow iam-policy -f orders.topology.yaml --account-id 111122223333 > orders-policy.json\n" +
			"  sourceflow iam-policy -f orders.topology.yaml --account-id 111122223333 --key-policy\n" +
			"  AWS_ACCOUNT_ID=111122223333 AWS_REGION=eu-west-1 sourceflow iam-policy -f orders.topology.yaml --provisioning assume",
	}, &f, g.runIAMPolicy)
	addFileFlag(cmd, &f.path)
	cmd.Flags().StringVar(&f.service, "service", "", "the service the file must describe; default: the file's service")
	cmd.Flags().StringVar(&f.provisioning, "provisioning", topology.ProvisionCreate.String(),
		"provisioning mode of the transport: create, validate or assume")
	cmd.Flags().BoolVar(&f.keyPolicy, "key-policy", false, "print the statements the KMS key's policy needs instead")
	cmd.Flags().StringVar(&f.region, "region", "", "region of the resources; default the SDK's configuration (AWS_REGION, the profile), else "+DefaultRegion)
	return cmd
}

func (g *globals) runIAMPolicy(cmd *cobra.Command, f iamFlags) error {
	cfg, err := g.iamConfig(cmd.Context(), f)
	if err != nil {
		return &ExitError{Code: ExitUsage, Err: err}
	}
	file, err := readTopology(cmd, f.path)
	if err != nil {
		return err
	}
	if f.service != "" && f.service != file.Service {
		return &ExitError{Code: ExitUsage, Err: fmt.Errorf("--service %q: %s describes service %q; "+
			"pass that service's topology file, or omit --service", f.service, f.path, file.Service)}
	}
	plan, err := file.Plan()
	if err == nil {
		var pol topology.IAMPolicy
		if pol, err = policyOf(plan, cfg, f.keyPolicy); err == nil {
			noteCreateMode(cmd, cfg, f.keyPolicy, pol)
			return printPolicy(cmd, pol)
		}
	}
	return &ExitError{Code: ExitUsage, Err: fmt.Errorf("%s: %w", f.path, err)}
}

// policyOf returns the service's identity policy, or with keyPolicy the
// statements of its key's policy.
func policyOf(plan topology.Plan, cfg topology.IAMConfig, keyPolicy bool) (topology.IAMPolicy, error) {
	if !keyPolicy {
		return topology.NewIAMPolicy(plan, cfg)
	}
	stmts, err := topology.NewKeyPolicyStatements(plan, cfg)
	if err == nil && len(stmts) == 0 {
		err = fmt.Errorf("service %q has no topic and subscribes to none of another account: its key's policy needs no statement for SNS", plan.Service)
	}
	return topology.IAMPolicy{Version: topology.IAMPolicyVersion, Statement: stmts}, err
}

// iamConfig builds the IAMConfig from the flags and the environment. The
// account is required: the command makes no AWS call to find it.
func (g *globals) iamConfig(ctx context.Context, f iamFlags) (topology.IAMConfig, error) {
	mode, err := parseProvisioning(f.provisioning)
	if err != nil {
		return topology.IAMConfig{}, err
	}
	cfg := topology.IAMConfig{AccountID: g.accountID, Region: f.region, Provisioning: mode}
	cfg.AccountID = cmp.Or(cfg.AccountID, os.Getenv("AWS_ACCOUNT_ID"))
	if cfg.AccountID == "" {
		return cfg, errors.New("iam-policy needs the account of the resources: pass --account-id or set " +
			"AWS_ACCOUNT_ID (it makes no AWS call, so it cannot look the account up)")
	}
	if cfg.Region == "" {
		if cfg.Region, err = sdkRegion(ctx); err != nil {
			return cfg, err
		}
	}
	return cfg, cfg.Validate()
}

// sdkRegion returns the region of the SDK's default configuration, as
// LoadClients finds it, else DefaultRegion. Loading the configuration
// reads the environment and the shared files only: no AWS call.
func sdkRegion(ctx context.Context) (string, error) {
	sdk, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return "", fmt.Errorf("load the AWS configuration for the region: %w (check AWS_PROFILE and the shared "+
			"config files, or pass --region)", err)
	}
	if sdk.Region == "" {
		return DefaultRegion, nil
	}
	return sdk.Region, nil
}

// parseProvisioning returns the mode named s.
func parseProvisioning(s string) (topology.Provisioning, error) {
	for _, m := range []topology.Provisioning{topology.ProvisionCreate, topology.ProvisionValidate, topology.ProvisionAssume} {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("--provisioning %q: want create, validate or assume", s)
}

// printPolicy writes pol as indented JSON, the document IAM accepts.
func printPolicy(cmd *cobra.Command, pol topology.IAMPolicy) error {
	if err := writeJSON(cmd.OutOrStdout(), pol); err != nil {
		return err
	}
	if n := policySize(pol); n > maxManagedPolicySize {
		fmt.Fprintf(cmd.ErrOrStderr(), "Warning: the policy is %d characters without white space; IAM takes at most "+
			"%d in a managed policy and %d in all the inline policies of a role together. Split its statements "+
			"between managed policies (a role takes 10 by default), or ask for the quota to be raised.\n",
			n, maxManagedPolicySize, maxInlinePoliciesSize)
	}
	return nil
}

// IAM's size quotas, in characters without white space.
const (
	maxManagedPolicySize  = 6144
	maxInlinePoliciesSize = 10240
)

// policySize is the size of pol as IAM counts it: its JSON without white
// space, which encoding/json writes none of outside strings (and the
// policy's strings, ARNs and actions, hold none).
func policySize(pol topology.IAMPolicy) int {
	b, err := json.Marshal(pol)
	if err != nil {
		return 0
	}
	return len(b)
}
