package outbox_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/outbox"
)

func TestValidateReportsEveryProblemNamingItsField(t *testing.T) {
	err := outbox.Config{Dialect: "sqlite", Topic: "bad-topic", PollInterval: -1}.Validate()
	require.Error(t, err)
	for _, want := range []string{"Config.DB", "Config.Dialect", "Config.Transport", "Config.Topic", "Config.PollInterval"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.ErrorIs(t, err, outbox.ErrUnsupportedDialect)
	assert.ErrorIs(t, err, outbox.ErrInvalidTopic)
}

func TestValidateTopic(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	db := &sql.DB{} // never used: Validate does not touch the database
	for _, tt := range []struct {
		topic string
		ok    bool
	}{
		{"", true}, {"orders_outbox", true}, {"Outbox2", true},
		{"orders-outbox", false}, {"a.b", false}, {`x"; DROP TABLE y`, false},
		{strings.Repeat("a", 32), true}, {strings.Repeat("a", 33), false},
		{"orders_dead_letters", false}, {"dead_letters_orders", true}, // the outbox "orders" keeps its dead letters in the first
		{"offsets_orders", false}, {"orders_offsets", true}, // and its offsets in the table of the first
	} {
		err := outbox.Config{DB: db, Dialect: sourceflow.Postgres, Transport: inner, Topic: tt.topic}.Validate()
		assert.Equal(t, tt.ok, err == nil, "topic %q: %v", tt.topic, err)
	}
}

func TestNewRefusesAnInvalidConfig(t *testing.T) {
	_, err := outbox.New(outbox.Config{Dialect: sourceflow.MySQL})
	assert.ErrorContains(t, err, "Config.DB")
}

func TestPruneRefusesAnInvalidConfig(t *testing.T) {
	_, err := outbox.Prune(t.Context(), outbox.Config{Dialect: sourceflow.MySQL})
	assert.ErrorContains(t, err, "Config.DB")
	_, err = outbox.Prune(t.Context(), outbox.Config{DB: &sql.DB{}, Dialect: sourceflow.Postgres, Topic: "offsets_orders"})
	assert.ErrorIs(t, err, outbox.ErrInvalidTopic)
}
