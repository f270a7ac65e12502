package dynamostore

import (
	"context"
	"fmt"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/dynamo"
)

// Key attribute names of every table.
const (
	attrPK = "pk"
	attrSK = "sk"
)

// Store holds the command, entity and view stores on DynamoDB. The view store joins a handling
// transaction on the same client (see WithinTx): its saves are then
// written by the transaction's one TransactWriteItems, with the idempotency
// completion. Entity saves join it too when the service's transport is an
// Outbox; without one, entity saves and commands, which come with
// publishes, are written before those publishes (see the package doc).
//
// A Store has no Close: it starts no goroutine, opens nothing and caches
// nothing (it holds only the locks its transactions in progress take on
// their entities' sequence numbers, each released when its transaction
// ends), and the *dynamodb.Client, whose connections it uses, is the
// caller's. An Outbox sweeps in the background: close it (Outbox.Close).
type Store struct {
	api      *dynamodb.Client
	cfg      Config
	retry    *dynamo.Retry
	commands *commandStore
	entities *documentStore
	views    *documentStore
}

var _ sourceflow.Transactor = (*Store)(nil)

// New provisions the tables as cfg.Provisioning says and returns a Store.
func New(ctx context.Context, cfg Config) (*Store, error) {
	cfg.setDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	s := &Store{api: cfg.Client, cfg: cfg, retry: &dynamo.Retry{}}
	if err := topology.ApplyTables(ctx, cfg.Client, cfg.Provisioning, cfg.Tags, s.Tables()...); err != nil {
		return nil, fmt.Errorf("dynamostore: %w", err)
	}
	s.commands = &commandStore{api: s.api, table: cfg.TablePrefix + "commands", retry: s.retry}
	s.entities = &documentStore{api: s.api, table: cfg.TablePrefix + "entities", retry: s.retry}
	s.views = &documentStore{api: s.api, table: cfg.TablePrefix + "views", retry: s.retry, joins: true}
	return s, nil
}

// Tables returns the tables the stores use (not the Outbox's: OutboxTable).
func (s *Store) Tables() []topology.Table { return Tables(s.cfg) }

// Tables returns the tables a Store with cfg uses (not the Outbox's:
// OutboxTable), without a request: for
// a service's topology file (topology.Options.Tables), from which the
// operations CLI exports, validates and creates them.
func Tables(cfg Config) []topology.Table {
	cfg.setDefaults()
	p := cfg.TablePrefix
	return []topology.Table{
		{Name: p + "commands", PartitionKey: attrPK, SortKey: attrSK},
		{Name: p + "entities", PartitionKey: attrPK, SortKey: attrSK},
		{Name: p + "views", PartitionKey: attrPK, SortKey: attrSK},
	}
}

// OutboxTable returns the table of the Outbox of a Store with cfg, without
// a request (see Tables); NewOutbox provisions it.
func OutboxTable(cfg Config) topology.Table {
	cfg.setDefaults()
	return topology.Table{Name: cfg.TablePrefix + "outbox", PartitionKey: attrPK, SortKey: attrSK}
}

// Commands returns the command store. It also implements
// sourceflow.Transactor, so the CommandBus reserves a sequence and appends
// the command in one transaction, and no number is spent by a send that
// fails or is interrupted.
func (s *Store) Commands() cqrs.CommandStore { return s.commands }

// Entities returns the store of saga entities.
func (s *Store) Entities() cqrs.EntityStore { return s.entities }

// Views returns the store of view models.
func (s *Store) Views() cqrs.ViewStore { return s.views }

// WithinTx implements sourceflow.Transactor: fn runs with a context
// carrying a handling transaction on the store's client; the view saves
// made with it are written together by one TransactWriteItems when fn
// returns nil, and not at all otherwise. When ctx already carries a
// handling transaction on the client, fn joins it and the outer caller
// commits.
func (s *Store) WithinTx(ctx context.Context, fn func(ctx context.Context) error) error {
	return dynamo.WithinTx(ctx, s.api, dynamo.Handling, s.retry, fn)
}

// RetryStats returns how many requests DynamoDB throttled or refused for a
// conflicting transaction, retried or not (see RetryStats).
func (s *Store) RetryStats() RetryStats { return s.retry.Stats() }

// RetryStats counts throttled and conflicting requests.
type RetryStats = dynamo.RetryStats

// checkKey refuses a key the stores cannot hold apart from every other:
// empty, longer than MaxKeyLength bytes, or not valid UTF-8. The SDK sends
// strings as JSON, which replaces each invalid byte with U+FFFD, so
// "o-\xff" and "o-\xfe" would name one item: one entity's sequence,
// commands and documents.
func checkKey(what, v string) error {
	if v == "" || len(v) > MaxKeyLength {
		return sourceflow.Permanent(fmt.Errorf("%w: %s %q (1 to %d bytes)", ErrInvalidKey, what, truncate(v), MaxKeyLength))
	}
	if !utf8.ValidString(v) {
		return sourceflow.Permanent(fmt.Errorf("%w: %s %q is not valid UTF-8", ErrInvalidKey, what, truncate(v)))
	}
	return nil
}

// maxKeyText bounds, in bytes, a refused key or UUID as an error shows it.
const maxKeyText = 64

// truncate cuts s to at most maxKeyText bytes, followed by "…" when it is
// longer, never inside a character: a cut "é" would show a byte (\xc3)
// that reads as invalid UTF-8. Each invalid byte counts as one character,
// so one of those is kept as it is.
func truncate(s string) string {
	if len(s) <= maxKeyText {
		return s
	}
	n := 0
	for {
		_, size := utf8.DecodeRuneInString(s[n:])
		if n+size > maxKeyText {
			return s[:n] + "…"
		}
		n += size
	}
}
