package outbox_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
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
	db := new(sqldbtest.DB).Open(t) // never used: Validate does not touch the database
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
	_, err = outbox.Prune(t.Context(), outbox.Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.Postgres, Topic: "offsets_orders"})
	assert.ErrorIs(t, err, outbox.ErrInvalidTopic)
}

// TestNewRefusesADatabaseOfAnotherDialect: a Config.DB opened with another
// dialect's driver than Config.Dialect is ErrInvalidConfig naming both,
// before any statement (sql.Open does not connect), where Bind would fail
// with the other dialect's SQL errors. A driver the outbox does not know
// (sqldbtest's, as a tracing wrapper would be) is taken as it is.
func TestNewRefusesADatabaseOfAnotherDialect(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	open := func(driver, dsn string) *sql.DB {
		db, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	mysqlDB, pgDB := open("mysql", "u:p@tcp(127.0.0.1:1)/db"), open("pgx", "postgres://u:p@127.0.0.1:1/db")

	_, err = outbox.New(outbox.Config{DB: mysqlDB, Dialect: sourceflow.Postgres, Transport: inner})
	require.ErrorIs(t, err, outbox.ErrInvalidConfig)
	assert.ErrorContains(t, err, "outbox: Config.DB")
	assert.ErrorContains(t, err, "Dialect is postgres, but the database was opened with the mysql driver")
	_, err = outbox.DeadLetters(t.Context(), outbox.Config{DB: pgDB, Dialect: sourceflow.MySQL})
	require.ErrorIs(t, err, outbox.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Dialect is mysql, but the database was opened with the postgres driver")

	assert.NoError(t, outbox.Config{DB: pgDB, Dialect: sourceflow.Postgres, Transport: inner}.Validate())
	assert.NoError(t, outbox.Config{DB: mysqlDB, Dialect: sourceflow.MySQL, Transport: inner}.Validate())
	assert.NoError(t, outbox.Config{DB: fakeDB("").Open(t), Dialect: sourceflow.Postgres, Transport: inner}.Validate())
}
