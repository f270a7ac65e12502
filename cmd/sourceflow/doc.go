// Command sourceflow is the operations CLI of SourceFlow for Go. It works
// from a topology file (see topology.File), which a service writes from its
// registrations and transport options, and compares it with the live AWS
// account or emulator:
//
//	sourceflow plan -f topology.yaml      what apply would create or change
//	sourceflow apply -f topology.yaml     create or change it
//	sourceflow validate -f topology.yaml  report drift; exit 1 on drift
//	sourceflow health -f topology.yaml    health of every queue, DLQ and topic
//	sourceflow iam-policy -f topology.yaml --account-id ID
//	                                      least-privilege IAM policy of the service
//	sourceflow export cloudformation|terraform -f topology.yaml [-f ...]
//	                                      the topology as infrastructure code
//	sourceflow dlq list|peek|redrive|purge -f topology.yaml
//	                                      dead letters: depths, reasons, redrive, purge
//
// and, for services on the SQL transport (sqlbus) or behind a transactional
// outbox, works on their tables in the database SOURCEFLOW_SQL_DSN names:
//
//	sourceflow sql depth|dead-letters|redrive|purge|prune --destination D | --outbox TOPIC
//	                                      backlog, dead letters, redrive, purge, prune
//	sourceflow sql groups --destination D [--remove SERVICE --yes]
//	                                      consumer groups; remove a retired one
//	sourceflow sql filter --destination D --service S [--remove TYPE --yes]
//	                                      a consumer group's event type filter
//
// Install it with `go install ./cmd/sourceflow` from the module root. The
// commands live in package cli, which tests run in process; `sourceflow
// --help` lists the exit codes, the environment it reads and the IAM
// permissions each command needs; `sourceflow sql --help` the database
// privileges.
package main
