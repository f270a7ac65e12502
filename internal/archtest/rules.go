package archtest

import "strings"

// Module is the module path whose packages the rules govern.
const Module = "github.com/sourceflow-go/sourceflow"

// External import-path prefixes the rules refer to.
const (
	AWS  = "github.com/aws/"
	OTel = "go.opentelemetry.io/"
)

// Rule says what one package (by path relative to the module root; "" is the
// root) may import: the module's own packages it may use, and external
// prefixes it must not.
type Rule struct {
	// Internal lists the module packages the package may import.
	Internal []string
	// Forbidden lists external import-path prefixes the package must not import.
	Forbidden []string
	// StdlibOnly forbids every import outside the standard library.
	StdlibOnly bool
	// AnyInternal allows every module package except examples and integration.
	AnyInternal bool
}

// Commands is the directory of the module's commands. Nothing imports a
// package under it except the commands themselves and the integration
// tests, which run the CLI in process.
const Commands = "cmd"

// MayImportCommands reports whether package pkg (relative to the module
// root) may import a package under Commands.
func MayImportCommands(pkg string) bool {
	return pkg == "integration" || pkg == Commands || strings.HasPrefix(pkg, Commands+"/")
}

// Rules is the import policy of every package in the module.
func Rules() map[string]Rule {
	model := []string{AWS, OTel}
	return map[string]Rule{
		"":                                     {StdlibOnly: true},
		"cqrs":                                 {Internal: []string{"", "internal/slogdefault", "internal/fieldcheck", "internal/sqsrules", "internal/deadletter", "internal/jsonerr", "internal/errtext"}, Forbidden: model},
		"cqrs/cqrstest":                        {Internal: []string{"", "cqrs"}, Forbidden: model},
		"middleware":                           {Internal: []string{"", "internal/circuit", "internal/fieldcheck"}, Forbidden: model},
		"middleware/tracing":                   {Internal: []string{"", "internal/fieldcheck"}, Forbidden: []string{AWS}},
		"middleware/metrics":                   {Internal: []string{"", "internal/fieldcheck"}, Forbidden: []string{AWS}},
		"middleware/encryption":                {Internal: []string{"", "middleware", "internal/fieldcheck", "internal/destgrace"}, Forbidden: []string{OTel}},
		"middleware/encryption/encryptiontest": {Internal: []string{"", "middleware/encryption"}, Forbidden: []string{OTel}},
		"idempotency":                          {Internal: []string{"", "internal/periodic", "internal/fieldcheck", "internal/circuit", "internal/errtext"}, Forbidden: model},
		"idempotency/idempotencytest":          {Internal: []string{"", "idempotency"}, Forbidden: model},
		"idempotency/sqlstore":                 {Internal: []string{"", "idempotency", "internal/sqldb", "internal/periodic", "internal/fieldcheck", "internal/errtext"}, Forbidden: model},
		"cqrs/sqlstore":                        {Internal: []string{"", "cqrs", "internal/sqldb"}, Forbidden: model},
		"cqrs/dynamostore":                     {Internal: []string{"", "cqrs", "internal/dynamo", "internal/periodic", "awsbus/topology", "internal/fieldcheck", "internal/destgrace", "internal/deadletter", "internal/sqsrules"}, Forbidden: []string{OTel}},
		"idempotency/dynamostore":              {Internal: []string{"", "idempotency", "internal/dynamo", "awsbus/topology", "internal/errtext"}, Forbidden: []string{OTel}},
		"internal/dynamo":                      {Internal: []string{""}, Forbidden: []string{OTel}},
		"internal/dynamo/dynamotest":           {Forbidden: []string{OTel}},
		"outbox":                               {Internal: []string{"", "cqrs", "internal/slogdefault", "internal/sqldb", "internal/fieldcheck", "internal/destgrace", "internal/deadletter", "internal/sqsrules", "internal/repeatlog"}, Forbidden: model},
		"internal/backend":                     {Internal: []string{"", "cqrs", "idempotency"}, Forbidden: model},
		"internal/sqldb":                       {Internal: []string{"", "internal/slogdefault", "internal/fieldcheck", "internal/periodic", "internal/errtext", "internal/repeatlog"}, Forbidden: model},
		"internal/sqldb/sqldbtest":             {StdlibOnly: true},
		"internal/sqldb/polllogtest":           {Internal: []string{"internal/sqldb/sqldbtest"}, Forbidden: model},
		"internal/destgrace":                   {StdlibOnly: true},
		"internal/deadletter":                  {Internal: []string{"", "internal/sqsrules"}, Forbidden: model},
		"internal/redact":                      {StdlibOnly: true},
		"internal/jsonerr":                     {StdlibOnly: true},
		"internal/errtext":                     {StdlibOnly: true},
		"internal/clocktest":                   {StdlibOnly: true},
		"internal/circuit":                     {Internal: []string{""}, Forbidden: model},
		"sqlbackend":                           {Internal: []string{"", "cqrs", "cqrs/sqlstore", "idempotency", "idempotency/sqlstore", "outbox", "internal/backend", "internal/sqldb"}, Forbidden: model},
		"dynamobackend":                        {Internal: []string{"", "cqrs", "cqrs/dynamostore", "idempotency", "idempotency/dynamostore", "awsbus/topology", "internal/backend", "internal/dynamo"}, Forbidden: []string{OTel}},
		"sqlbus":                               {Internal: []string{"", "cqrs", "internal/sqldb", "internal/fieldcheck", "internal/sqsrules", "internal/deadletter"}, Forbidden: model},
		"internal/periodic":                    {StdlibOnly: true},
		"internal/slogdefault":                 {Internal: []string{""}, Forbidden: model},
		"internal/repeatlog":                   {Forbidden: model},
		"awsbus":                               {Internal: []string{"", "middleware/encryption", "awsbus/topology", "internal/periodic", "internal/sqsrules", "internal/fieldcheck", "internal/deadletter", "internal/redact", "internal/jsonerr", "internal/errtext", "internal/slogdefault"}, Forbidden: []string{OTel}},
		"awsbus/topology":                      {Internal: []string{"", "internal/fieldcheck"}, Forbidden: []string{OTel}},
		"awsbus/topology/iac":                  {Internal: []string{"", "awsbus/topology"}, Forbidden: []string{OTel}},
		"awsbus/awsbustest":                    {Internal: []string{"", "awsbus", "internal/sqsrules"}, Forbidden: []string{OTel}},
		"internal/fieldcheck":                  {StdlibOnly: true},
		"internal/sqsrules":                    {Internal: []string{"internal/errtext"}, Forbidden: model},
		"internal/archtest":                    {StdlibOnly: true},
		"examples/orders":                      {AnyInternal: true},
		"cmd/sourceflow":                       {AnyInternal: true},
		"cmd/sourceflow/cli":                   {AnyInternal: true},
		"integration":                          {AnyInternal: true},
	}
}
