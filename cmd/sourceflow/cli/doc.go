// Package cli implements the sourceflow operations CLI on spf13/cobra: the
// plan, apply, validate and health commands over a topology file
// (topology.DecodeFile) and the topology.Provisioner; iam-policy, which
// renders topology.NewIAMPolicy; export cloudformation and export
// terraform, which render the plans of one or more files with
// awsbus/topology/iac; dlq list, peek, redrive and purge on the file's
// dead-letter queues; and sql depth, dead-letters, redrive, purge, prune
// and groups on the tables of the SQL transport (sqlbus.Depths,
// DeadLetters, Redrive, Prune, ConsumerGroups, RemoveConsumerGroup; purge
// deletes the dead letters itself) and of a transactional outbox
// (outbox.Depths, DeadLetters, Redrive, Prune), which need a database
// instead of AWS and a topology file; and dynamo depth, dead-letters and
// redrive on a transactional outbox on DynamoDB (cqrs/dynamostore's
// Outbox.Depths, DeadLetters, Redrive), which need DynamoDB and no
// topology file, and create no table.
//
// Run executes a command line and returns its exit code:
//
//	0  success: no drift, healthy
//	1  drift (validate, or apply that left a difference), unhealthy or
//	   degraded (health), a dead-letter queue missing (dlq), or a source
//	   queue dlq list finds missing, a consumer group not there (sql
//	   groups --remove), or an sql --outbox whose
//	   dead-letter table is an sqlbus destination's messages table
//	   (dead-letters, redrive, purge)
//	2  usage or configuration: bad flags, an unreadable or invalid topology
//	   file, an AWS configuration that does not load, health checks that
//	   could not run (no account known to build a topic's ARN, a KMS key it
//	   may not read), a queue the service only sends to (dlq); for sql, no
//	   database DSN or one that cannot be parsed, or a redrive --yes of a
//	   destination or outbox with no table; for dynamo, a missing table
//	3  an AWS or database call failed: unreachable endpoint or database,
//	   missing permission; sql redrive that left dead letters behind, or
//	   dynamo redrive stopped part way
//	130 interrupted (SIGINT or SIGTERM) before it finished
//
// AWS configuration comes from the SDK's default chain (environment,
// shared files, instance roles): AWS_ENDPOINT_URL points it at an emulator
// such as LocalStack, and the region defaults to us-east-1 when none is
// set. Config.Clients replaces the clients, so tests run the commands on
// the fakes of awsbus/awsbustest. The sql commands read the DSN from
// SOURCEFLOW_SQL_DSN (or --dsn), open it with pgx (a postgres:// or
// postgresql:// DSN, the scheme in any case) or go-sql-driver/mysql (any
// other; --dialect overrides), and name the database by its host, never
// showing the password or sslpassword.
//
// Every command is a subcommand of NewCommand's root, built from a small
// function per command, sharing the file loading and the exit codes; a
// command that only groups others (dlq, dynamo, export, sql) shows its help when run
// alone and names an unknown subcommand as a usage error.
//
// The package is imported by the sourceflow command and by the integration
// tests, which run it in process; nothing else imports cmd/.
package cli
