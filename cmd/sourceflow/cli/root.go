package cli

import (
	"time"

	"github.com/spf13/cobra"
)

const rootLong = `sourceflow provisions, checks, exports and inspects the AWS resources of a
SourceFlow service from its topology file: the queues, dead-letter queues,
topics, subscriptions and queue policies that the service's registrations
need. A service writes the file from its running configuration with
(*awsbus.Transport).File or topology.NewFile; "version", "service" and
"destinations" are required. For services on the SQL transport or behind a
transactional outbox, sourceflow sql inspects, redrives and prunes their
tables; for an outbox on DynamoDB, sourceflow dynamo inspects and redrives
its dead letters.

What each command needs: plan, apply, validate, health and dlq need AWS and
a topology file; export and iam-policy need only the file and make no AWS
call; sql needs a database (SOURCEFLOW_SQL_DSN or --dsn) and neither AWS nor
a file; dynamo needs DynamoDB and no file.

Exit codes:
  0  success: no drift, healthy
  1  drift (validate; apply that left a difference), unhealthy or degraded
     (health: a check down, or drift that stops or holds back messages), a
     dead-letter queue missing (dlq: apply creates it, as it does a source
     queue dlq list finds missing; none of the queues found: check the
     region and the account first), a consumer group
     not there (sql groups --remove), or an sql --outbox whose dead-letter
     table is an sqlbus destination's messages table (dead-letters,
     redrive, purge: nothing read, moved or deleted)
  2  usage or configuration error: bad flags, an invalid topology file, an
     AWS configuration that does not load, health checks that could not run
     (no account known, a KMS key it may not read, as a key of another
     account on every run unless --skip-key-check; see health --help), a
     queue the service only sends to (dlq), no database DSN or one that
     cannot be parsed (sql), sql redrive --yes of a destination or outbox
     with no table, a missing table (dynamo)
  3  an AWS or database call failed: unreachable endpoint or database,
     missing permission (sql redrive also when it left dead letters,
     dynamo redrive when it stopped part way)
  130 interrupted (SIGINT or SIGTERM) before it finished

Environment: SOURCEFLOW_SQL_DSN is the database of the sql commands (see
sql --help). AWS: the SDK's default chain. AWS_ENDPOINT_URL points it at an
emulator such as LocalStack (http://localhost:4566); AWS_REGION defaults to
us-east-1; credentials come from AWS_PROFILE, AWS_ACCESS_KEY_ID/
AWS_SECRET_ACCESS_KEY or the instance role. Topic ARNs are built from the
account of an existing queue, else AWS_ACCOUNT_ID or --account-id, else
sts:GetCallerIdentity (an emulator without STS needs one of the first two).

IAM permissions: plan, validate and health read only (sqs:GetQueueUrl,
sqs:GetQueueAttributes, sqs:ListQueueTags, sns:GetTopicAttributes,
sns:ListTagsForResource, sns:ListSubscriptionsByTopic,
sns:GetSubscriptionAttributes, sts:GetCallerIdentity, and for the file's
tables dynamodb:DescribeTable, dynamodb:DescribeTimeToLive and
dynamodb:ListTagsOfResource, and for the file's KMS key kms:DescribeKey and
kms:GetKeyPolicy, without which the key is reported "not checked" unless
--skip-key-check is given); apply also needs sqs:CreateQueue,
sqs:SetQueueAttributes, sqs:TagQueue, sns:CreateTopic, sns:SetTopicAttributes,
sns:TagResource, sns:Subscribe, sns:SetSubscriptionAttributes,
dynamodb:CreateTable, dynamodb:TagResource and dynamodb:UpdateTimeToLive.
"sourceflow iam-policy --provisioning create" prints them for one file's
resources only.

apply never changes a KMS key or its policy. validate, plan and apply report
a key that is missing, disabled, AWS managed or whose policy does not let SNS
use it (SNS then drops the messages of the topics); "sourceflow iam-policy
--key-policy" prints the statement the key's owner adds.`

// globals are the settings every command shares.
type globals struct {
	cfg       Config
	timeout   time.Duration
	accountID string
	skipKey   bool
}

// NewCommand returns the root command with every subcommand, writing to
// cfg's streams. Run executes it and maps its error to an exit code.
func NewCommand(cfg Config) *cobra.Command {
	cfg.setDefaults()
	g := &globals{cfg: cfg}
	root := &cobra.Command{
		Use:   "sourceflow",
		Short: "Provision and check a SourceFlow service's AWS topology; inspect its dead letters on AWS or SQL",
		Long:  rootLong,
		Example: "  sourceflow plan -f orders.topology.yaml\n  sourceflow apply -f orders.topology.yaml\n" +
			"  sourceflow sql depth --service payments --destination payments.fifo",
		SilenceErrors:     true,
		SilenceUsage:      true,
		PersistentPreRunE: func(*cobra.Command, []string) error { return g.checkTimeout() },
	}
	root.SetIn(cfg.Stdin)
	root.SetOut(cfg.Stdout)
	root.SetErr(cfg.Stderr)
	root.PersistentFlags().DurationVar(&g.timeout, "timeout", DefaultTimeout, "bound on the whole command, AWS and database calls included")
	root.PersistentFlags().StringVar(&g.accountID, "account-id", "", "account of the resources, to check topics before any "+
		"queue exists; default AWS_ACCOUNT_ID, else sts:GetCallerIdentity")
	root.PersistentFlags().BoolVar(&g.skipKey, "skip-key-check", false, "do not read the file's KMS key and its policy "+
		"(for credentials without kms:DescribeKey and kms:GetKeyPolicy)")
	root.AddCommand(newPlanCommand(g), newApplyCommand(g), newValidateCommand(g), newHealthCommand(g), newIAMPolicyCommand(g), newExportCommand(), newDLQCommand(g), newDynamoCommand(g),
		newSQLCommand(g))
	return root
}
