// Package cli implements the sourceflow operations CLI on spf13/cobra: the
// plan, apply, validate and health commands over a topology file
// (topology.DecodeFile) and the topology.Provisioner; iam-policy, which
// renders topology.NewIAMPolicy; export cloudformation and export
// terraform, which render the plans of one or more files with
// awsbus/topology/iac; and dlq list, peek, redrive and purge on the file's
// dead-letter queues.
//
// Run executes a command line and returns its exit code:
//
//	0  success: no drift, healthy
//	1  drift (validate, or apply that left a difference) or unhealthy (health)
//	2  usage or configuration: bad flags, an unreadable or invalid topology
//	   file, an AWS configuration that does not load, or health checks
//	   that could not run (no account known to build a topic's ARN)
//	3  an AWS call failed: unreachable endpoint, missing permission
//	130 interrupted (SIGINT or SIGTERM) before it finished
//
// AWS configuration comes from the SDK's default chain (environment,
// shared files, instance roles): AWS_ENDPOINT_URL points it at an emulator
// such as LocalStack, and the region defaults to us-east-1 when none is
// set. Config.Clients replaces the clients, so tests run the commands on
// the fakes of awsbus/awsbustest.
//
// Every command is a subcommand of NewCommand's root, built from a small
// function per command, sharing the file loading and the exit codes; a
// command that only groups others (dlq, export) shows its help when run
// alone and names an unknown subcommand as a usage error.
//
// The package is imported by the sourceflow command and by the integration
// tests, which run it in process; nothing else imports cmd/.
package cli
