package dynamostore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

// newStore returns a Store on tables of its own, dropped after the test.
func newStore(t *testing.T) *dynamostore.Store {
	t.Helper()
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()
	s, err := dynamostore.New(context.Background(), dynamostore.Config{Client: api, TablePrefix: prefix})
	require.NoError(t, err)
	for _, tb := range append(s.Tables(), dynamostore.OutboxTable(dynamostore.Config{TablePrefix: prefix})) {
		dynamotest.DropTables(t, api, tb.Name)
	}
	return s
}

func TestCommandStoreConformance(t *testing.T) {
	s := newStore(t)
	cqrstest.RunCommandStore(t, func(t *testing.T) cqrs.CommandStore { return scoped{s.Commands(), t.Name()} })
}

func TestDocumentStoreConformance(t *testing.T) {
	s := newStore(t)
	opts := cqrstest.DocumentOptions{LargeDocument: 300 << 10}
	t.Run("entities", func(t *testing.T) {
		cqrstest.RunDocumentStore(t, func(t *testing.T) cqrs.DocumentStore { return scopedDocs{s.Entities(), t.Name()} }, opts)
	})
	t.Run("views", func(t *testing.T) {
		cqrstest.RunDocumentStore(t, func(t *testing.T) cqrs.DocumentStore { return scopedDocs{s.Views(), t.Name()} }, opts)
	})
}

// scoped gives each conformance subtest entities of its own on one shared
// set of tables (creating tables per subtest would dominate the run).
type scoped struct {
	cqrs.CommandStore
	scope string
}

func (s scoped) id(entity string) string { return s.scope + "/" + entity }

func (s scoped) NextSequence(ctx context.Context, entityID string) (int64, error) {
	return s.CommandStore.NextSequence(ctx, s.id(entityID))
}

func (s scoped) Append(ctx context.Context, cmd cqrs.StoredCommand) error {
	cmd.Envelope.EntityID = s.id(cmd.Envelope.EntityID)
	return s.CommandStore.Append(ctx, cmd)
}

func (s scoped) Find(ctx context.Context, entityID, messageID string) (cqrs.StoredCommand, error) {
	c, err := s.CommandStore.Find(ctx, s.id(entityID), messageID)
	c.Envelope.EntityID = strings.TrimPrefix(c.Envelope.EntityID, s.scope+"/")
	return c, err
}

func (s scoped) Load(ctx context.Context, entityID string) ([]cqrs.StoredCommand, error) {
	cmds, err := s.CommandStore.Load(ctx, s.id(entityID))
	for i := range cmds {
		cmds[i].Envelope.EntityID = strings.TrimPrefix(cmds[i].Envelope.EntityID, s.scope+"/")
	}
	return cmds, err
}

type scopedDocs struct {
	cqrs.DocumentStore
	scope string
}

func (s scopedDocs) Load(ctx context.Context, kind, id string) (cqrs.Document, error) {
	return s.DocumentStore.Load(ctx, kind, s.scope+"/"+id)
}

func (s scopedDocs) Save(ctx context.Context, kind, id string, data []byte, version int64) error {
	return s.DocumentStore.Save(ctx, kind, s.scope+"/"+id, data, version)
}
