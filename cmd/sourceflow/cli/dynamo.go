package cli

import (
	"github.com/spf13/cobra"
)

const dynamoLong = `dynamo inspects and redrives the dead letters of a transactional outbox on
DynamoDB (package cqrs/dynamostore: Outbox), as sql does an SQL outbox's.
It needs DynamoDB, not a topology file.

An outbox is named by the stores' table prefix (--table-prefix, their
Config.TablePrefix: the outbox table is <prefix>outbox) and its name in
that table (--outbox, its OutboxConfig.Name; dynamobackend names a
service's outbox after the service, its Config.OutboxPrefix in front):
every command takes both.

  depth         messages waiting to be relayed, per shard, with the oldest's
                age, and the dead letters
  dead-letters  list the dead letters, or count them by type and reason
  redrive       return the dead letters to the sweep (with --yes)

Connection: the AWS SDK's default chain (AWS_REGION, credentials, shared
files, instance roles), as the other commands; AWS_ENDPOINT_URL_DYNAMODB
(else AWS_ENDPOINT_URL) points it at an emulator. It creates no table: it
reads the description of the stores' tables and of the outbox table
(dynamodb:DescribeTable) and a missing one is refused (exit 2).

An outbox that holds no item (no message waiting, no dead letter) is said
so on stderr, with the outboxes the table holds items of (among its first
1,000, read by one dynamodb:Scan): a misspelt --outbox holds none, but
neither does an outbox that relayed everything, so the exit stays 0.

Exit codes: 0 success; 2 usage (a flag missing or invalid, a table
missing); 3 a DynamoDB call failed (unreachable within --timeout, a
permission missing) or redrive stopped part way; 130 interrupted.

Permissions: dynamodb:DescribeTable on the four tables, dynamodb:Query on
the outbox table; redrive also dynamodb:DeleteItem and dynamodb:PutItem
(its moves are transactions, whose writes IAM checks one by one),
dynamodb:UpdateItem and dynamodb:GetItem on it; dynamodb:Scan on it, for
the note of an outbox that holds no item to name the table's outboxes
(without it, the note says it could not).`

func newDynamoCommand(g *globals) *cobra.Command {
	cmd := parentCommand(&cobra.Command{
		Use:   "dynamo",
		Short: "Inspect and redrive the dead letters of an outbox on DynamoDB",
		Long:  dynamoLong,
		Example: "  sourceflow dynamo depth --table-prefix sourceflow_ --outbox payments\n" +
			"  sourceflow dynamo dead-letters --table-prefix sourceflow_ --outbox payments --summary\n" +
			"  sourceflow dynamo redrive --table-prefix sourceflow_ --outbox payments --yes",
	})
	cmd.AddCommand(newDynamoDepthCommand(g), newDynamoDeadLettersCommand(g), newDynamoRedriveCommand(g))
	return cmd
}
