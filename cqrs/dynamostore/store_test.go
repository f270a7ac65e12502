package dynamostore_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/awsbus/topology"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/dynamostore"
	"github.com/sourceflow-go/sourceflow/internal/dynamo/dynamotest"
)

func TestOversizeDocumentIsRefusedNamingItAndLosesNothing(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	require.NoError(t, s.Entities().Save(ctx, "order", "small", []byte("v1"), 0))
	err := s.Entities().Save(ctx, "order", "huge-1", make([]byte, 401<<10), 0)
	require.ErrorIs(t, err, dynamostore.ErrTooLarge)
	assert.ErrorIs(t, err, sourceflow.ErrPermanent, "no retry can store it: dead-lettered at once")
	assert.Contains(t, err.Error(), `order "huge-1"`)
	_, err = s.Entities().Load(ctx, "order", "huge-1")
	assert.ErrorIs(t, err, cqrs.ErrNotFound, "nothing stored, nothing truncated")
	doc, err := s.Entities().Load(ctx, "order", "small")
	require.NoError(t, err)
	assert.Equal(t, "v1", string(doc.Data))
	require.NoError(t, s.Entities().Save(ctx, "order", "small", []byte("v2"), 1), "the store still works")
}

func TestOversizeCommandIsRefusedNamingIt(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	cmd := cqrs.StoredCommand{
		Envelope: cqrs.Envelope{Type: "t", MessageID: "m-big", EntityID: "e-1", Sequence: 1},
		Payload:  make([]byte, 401<<10),
	}
	err := s.Commands().Append(ctx, cmd)
	require.ErrorIs(t, err, dynamostore.ErrTooLarge)
	assert.Contains(t, err.Error(), "m-big")
	cmd.Payload, cmd.Envelope.MessageID = []byte("{}"), "m-ok"
	require.NoError(t, s.Commands().Append(ctx, cmd), "the sequence the refused command had is free")
}

func TestInvalidKeysAreRefused(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	_, err := s.Commands().NextSequence(ctx, "")
	assert.ErrorIs(t, err, dynamostore.ErrInvalidKey)
	assert.ErrorIs(t, s.Entities().Save(ctx, "order", strings.Repeat("x", dynamostore.MaxKeyLength+1), nil, 0), dynamostore.ErrInvalidKey)
}

// TestKeysThatAreNotUTF8AreRefusedRatherThanNamingAnotherEntitysItems: the
// SDK sends "o-\xff" and "o-\xfe" alike (each invalid byte becomes U+FFFD),
// so one would take the other's next number and load its documents. Such
// keys are refused, for good, and the other entity's items are left as
// they were.
func TestKeysThatAreNotUTF8AreRefusedRatherThanNamingAnotherEntitysItems(t *testing.T) {
	ctx := context.Background()
	s := newStore(t)
	seq, err := s.Commands().NextSequence(ctx, "o-\ufffd")
	require.NoError(t, err)
	require.Equal(t, int64(1), seq)
	require.NoError(t, s.Views().Save(ctx, "summary", "o-\ufffd", []byte("theirs"), 0))

	_, err = s.Commands().NextSequence(ctx, "o-\xff")
	errs := []error{err}
	_, err = s.Views().Load(ctx, "summary", "o-\xfe")
	errs = append(errs, err)
	errs = append(errs, s.Entities().Save(ctx, "order\xff", "o-1", []byte("mine"), 0))
	_, err = s.Commands().Find(ctx, "o-1", "m-\xff")
	errs = append(errs, err)
	for _, err := range errs {
		assert.ErrorIs(t, err, dynamostore.ErrInvalidKey)
		assert.ErrorIs(t, err, sourceflow.ErrPermanent, "no retry makes the key valid")
	}

	seq, err = s.Commands().NextSequence(ctx, "o-\ufffd")
	require.NoError(t, err)
	assert.Equal(t, int64(2), seq, "the number after the other entity's own")
	doc, err := s.Views().Load(ctx, "summary", "o-\ufffd")
	require.NoError(t, err)
	assert.Equal(t, cqrs.Document{Data: []byte("theirs"), Version: 1}, doc)
}

func TestValidateReportsMissingTablesAsDrift(t *testing.T) {
	api := dynamotest.Client(t)
	prefix := dynamotest.Prefix()
	_, err := dynamostore.New(context.Background(), dynamostore.Config{
		Client: api, TablePrefix: prefix, Provisioning: topology.ProvisionValidate,
	})
	var drift *topology.DriftError
	require.ErrorAs(t, err, &drift)
	assert.Len(t, drift.Report.Drifts, 3)
	assert.Contains(t, err.Error(), "table "+prefix+"commands: missing")

	s := newStore(t) // create
	_, err = dynamostore.New(context.Background(), dynamostore.Config{
		Client: api, TablePrefix: strings.TrimSuffix(s.Tables()[0].Name, "commands"), Provisioning: topology.ProvisionValidate,
	})
	assert.NoError(t, err, "created tables validate")
}

func TestConfigIsValidated(t *testing.T) {
	_, err := dynamostore.New(context.Background(), dynamostore.Config{TablePrefix: "bad prefix!", Provisioning: 9})
	require.ErrorIs(t, err, dynamostore.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "Client is required")
	assert.Contains(t, err.Error(), `TablePrefix "bad prefix!" does not make DynamoDB table names`)
	assert.Contains(t, err.Error(), "Provisioning: 9, must be create, validate or assume")
}
