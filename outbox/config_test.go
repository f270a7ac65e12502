package outbox_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs"
	"github.com/sourceflow-go/sourceflow/cqrs/cqrstest"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
	"github.com/sourceflow-go/sourceflow/outbox"
)

func TestValidateReportsEveryProblemNamingItsField(t *testing.T) {
	err := outbox.Config{Dialect: "sqlite", Topic: "bad-topic", PollInterval: -1, Logger: (*watermill.StdLoggerAdapter)(nil),
		RelayObservers: []sourceflow.RelayObserver{&cqrstest.RelayRecorder{}, nil}}.Validate()
	require.Error(t, err)
	for _, want := range []string{"Config.DB", "Config.Dialect", "Config.Transport", "Config.Topic", "Config.PollInterval",
		"Config.Logger: nil *watermill.StdLoggerAdapter", "Config.RelayObservers[1] is nil"} {
		assert.Contains(t, err.Error(), want)
	}
	assert.ErrorIs(t, err, outbox.ErrUnsupportedDialect)
	assert.ErrorIs(t, err, outbox.ErrInvalidTopic)
}

// TestEveryInvalidFieldIsErrInvalidConfig: each field broken on its own
// in a valid Config is ErrInvalidConfig, from Validate and New, and, for
// the fields that locate the outbox, from the functions that only use
// those; an unsupported dialect and an invalid topic are
// ErrUnsupportedDialect and ErrInvalidTopic as well.
func TestEveryInvalidFieldIsErrInvalidConfig(t *testing.T) {
	inner, err := cqrs.NewChannelTransport(cqrs.ChannelConfig{})
	require.NoError(t, err)
	mysqlDB, err := sql.Open("mysql", "u:p@tcp(127.0.0.1:1)/db")
	require.NoError(t, err)
	t.Cleanup(func() { _ = mysqlDB.Close() })
	for _, tt := range []struct {
		name    string
		spoil   func(*outbox.Config)
		also    error
		ofStore bool // a field of the outbox's location, which Prune checks
	}{
		{"no DB", func(c *outbox.Config) { c.DB = nil }, nil, true},
		{"unsupported dialect", func(c *outbox.Config) { c.Dialect = "sqlite" }, outbox.ErrUnsupportedDialect, true},
		{"another dialect's driver", func(c *outbox.Config) { c.DB = mysqlDB }, nil, true},
		{"invalid topic", func(c *outbox.Config) { c.Topic = "orders-outbox" }, outbox.ErrInvalidTopic, true},
		{"no inner transport", func(c *outbox.Config) { c.Transport = nil }, nil, false},
		{"negative PollInterval", func(c *outbox.Config) { c.PollInterval = -time.Second }, nil, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := outbox.Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.Postgres, Transport: inner}
			require.NoError(t, cfg.Validate())
			tt.spoil(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, outbox.ErrInvalidConfig)
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			_, err = outbox.New(cfg)
			assert.ErrorIs(t, err, outbox.ErrInvalidConfig, "New")
			if tt.ofStore {
				_, err = outbox.Prune(t.Context(), cfg)
				assert.ErrorIs(t, err, outbox.ErrInvalidConfig, "Prune")
			}
		})
	}
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
	assert.ErrorContains(t, err, "outbox: invalid configuration: Config.DB: Config.Dialect is postgres, but the database was opened with the mysql driver")
	_, _, err = outbox.DeadLetters(t.Context(), outbox.Config{DB: pgDB, Dialect: sourceflow.MySQL}, outbox.DeadLetterQuery{Max: 1000})
	require.ErrorIs(t, err, outbox.ErrInvalidConfig)
	assert.ErrorContains(t, err, "Dialect is mysql, but the database was opened with the postgres driver")

	assert.NoError(t, outbox.Config{DB: pgDB, Dialect: sourceflow.Postgres, Transport: inner}.Validate())
	assert.NoError(t, outbox.Config{DB: mysqlDB, Dialect: sourceflow.MySQL, Transport: inner}.Validate())
	assert.NoError(t, outbox.Config{DB: fakeDB("").Open(t), Dialect: sourceflow.Postgres, Transport: inner}.Validate())
}
