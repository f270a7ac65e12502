package sqlbus

import (
	"database/sql"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/internal/sqldb/sqldbtest"
)

func TestConfigValidateReportsEveryProblemNamingItsField(t *testing.T) {
	err := Config{Dialect: "sqlite", PollInterval: -time.Second, AckDeadline: -1, MaxDeliveries: -2, RedeliveryDelay: -3,
		CloseTimeout: -4, Logger: (*watermill.StdLoggerAdapter)(nil)}.Validate()
	require.Error(t, err)
	for _, want := range []string{
		"Config.DB is required",
		`Config.Dialect "sqlite"`,
		"Config.PollInterval: -1s, must not be negative",
		"Config.AckDeadline: -1ns, must not be negative",
		"Config.MaxDeliveries: -2, must not be negative",
		"Config.RedeliveryDelay: -3ns, must not be negative",
		"Config.CloseTimeout: -4ns, must not be negative",
		"Config.Logger: nil *watermill.StdLoggerAdapter, must be non-nil or left unset",
	} {
		assert.ErrorContains(t, err, want)
	}
	assert.ErrorIs(t, err, ErrUnsupportedDialect)
}

// TestEveryInvalidFieldIsErrInvalidConfig: each field broken on its own
// in a valid Config is ErrInvalidConfig, from Validate and from the
// functions that take a Config; an unsupported dialect is
// ErrUnsupportedDialect as well.
func TestEveryInvalidFieldIsErrInvalidConfig(t *testing.T) {
	mysqlDB, err := sql.Open("mysql", "u:p@tcp(127.0.0.1:1)/db")
	require.NoError(t, err)
	t.Cleanup(func() { _ = mysqlDB.Close() })
	for _, tt := range []struct {
		name  string
		spoil func(*Config)
		also  error
	}{
		{"no DB", func(c *Config) { c.DB = nil }, nil},
		{"unsupported dialect", func(c *Config) { c.Dialect = "sqlite" }, ErrUnsupportedDialect},
		{"another dialect's driver", func(c *Config) { c.DB = mysqlDB }, nil},
		{"negative PollInterval", func(c *Config) { c.PollInterval = -time.Second }, nil},
		{"negative AckDeadline", func(c *Config) { c.AckDeadline = -time.Second }, nil},
		{"negative RedeliveryDelay", func(c *Config) { c.RedeliveryDelay = -time.Second }, nil},
		{"negative MaxDeliveries", func(c *Config) { c.MaxDeliveries = -1 }, nil},
		{"negative CloseTimeout", func(c *Config) { c.CloseTimeout = -time.Second }, nil},
		{"pauses outlasting AckDeadline", func(c *Config) { c.MaxDeliveries, c.RedeliveryDelay, c.AckDeadline = 4, time.Second, 3*time.Second }, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.Postgres}
			require.NoError(t, cfg.Validate())
			tt.spoil(&cfg)
			err := cfg.Validate()
			require.ErrorIs(t, err, ErrInvalidConfig)
			if tt.also != nil {
				assert.ErrorIs(t, err, tt.also)
			}
			_, err = NewTransport(cfg)
			assert.ErrorIs(t, err, ErrInvalidConfig, "NewTransport")
			_, err = Redrive(t.Context(), cfg, "orders")
			assert.ErrorIs(t, err, ErrInvalidConfig, "Redrive")
		})
	}
}

func TestConfigValidateRefusesRedeliveriesOutlastingTheAckDeadline(t *testing.T) {
	db := new(sqldbtest.DB).Open(t)
	err := Config{DB: db, Dialect: sourceflow.Postgres, MaxDeliveries: 4, RedeliveryDelay: time.Second, AckDeadline: 3 * time.Second}.Validate()
	assert.ErrorContains(t, err, "Config.MaxDeliveries 4 with Config.RedeliveryDelay 1s pause 7s in all between deliveries, which outlast Config.AckDeadline 3s")

	ok := Config{DB: db, Dialect: sourceflow.MySQL, MaxDeliveries: 3, RedeliveryDelay: time.Second, AckDeadline: 4 * time.Second} // pauses 1s + 2s
	assert.NoError(t, ok.Validate())
}

func TestConfigDefaults(t *testing.T) {
	c := Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.Postgres}
	require.NoError(t, c.Validate(), "the zero durations and counts stand for the defaults")
	c.setDefaults()
	assert.Equal(t, DefaultPollInterval, c.PollInterval)
	assert.Equal(t, DefaultAckDeadline, c.AckDeadline)
	assert.Equal(t, 8, c.MaxDeliveries)
	assert.Equal(t, 100*time.Millisecond, c.RedeliveryDelay)
	assert.Equal(t, DefaultPruneInterval, c.PruneInterval)
	assert.NotNil(t, c.Logger)

	never := Config{DB: new(sqldbtest.DB).Open(t), Dialect: sourceflow.Postgres, PruneInterval: -1}
	require.NoError(t, never.Validate(), "a negative PruneInterval turns pruning off")
	never.setDefaults()
	assert.Negative(t, never.PruneInterval)
}

func TestNewTransportRefusesAnInvalidConfig(t *testing.T) {
	_, err := NewTransport(Config{Dialect: sourceflow.MySQL})
	assert.ErrorContains(t, err, "Config.DB is required")
}

func TestDeadLettersRedriveAndPruneRefuseAnInvalidConfig(t *testing.T) {
	bad := Config{DB: new(sqldbtest.DB).Open(t), Dialect: "oracle"}
	_, _, err := DeadLetters(t.Context(), bad, "orders", DeadLetterQuery{Max: 1000})
	assert.ErrorIs(t, err, ErrUnsupportedDialect)
	_, err = Redrive(t.Context(), bad, "orders")
	assert.ErrorIs(t, err, ErrUnsupportedDialect)
	_, err = Prune(t.Context(), bad, "orders")
	assert.ErrorIs(t, err, ErrUnsupportedDialect)
}

// TestConfigValidateRefusesADatabaseOfAnotherDialect: a Config.DB opened
// with another dialect's driver than Config.Dialect is ErrInvalidConfig
// naming both, before any statement (sql.Open does not connect), where
// it would fail later with the other dialect's SQL errors. A driver
// sqlbus does not know (sqldbtest's, as a tracing wrapper would be) is
// taken as it is.
func TestConfigValidateRefusesADatabaseOfAnotherDialect(t *testing.T) {
	open := func(driver, dsn string) *sql.DB {
		db, err := sql.Open(driver, dsn)
		require.NoError(t, err)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	mysqlDB, pgDB := open("mysql", "u:p@tcp(127.0.0.1:1)/db"), open("pgx", "postgres://u:p@127.0.0.1:1/db")

	err := Config{DB: mysqlDB, Dialect: sourceflow.Postgres}.Validate()
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.ErrorContains(t, err, "sqlbus: invalid configuration: Config.DB: Config.Dialect is postgres, but the database was opened with the mysql driver")

	_, err = NewTransport(Config{DB: pgDB, Dialect: sourceflow.MySQL})
	require.ErrorIs(t, err, ErrInvalidConfig)
	assert.ErrorContains(t, err, "Dialect is mysql, but the database was opened with the postgres driver")
	_, _, err = DeadLetters(t.Context(), Config{DB: pgDB, Dialect: sourceflow.MySQL}, "orders", DeadLetterQuery{Max: 1000})
	assert.ErrorIs(t, err, ErrInvalidConfig)

	assert.NoError(t, Config{DB: pgDB, Dialect: sourceflow.Postgres}.Validate())
	assert.NoError(t, Config{DB: mysqlDB, Dialect: sourceflow.MySQL}.Validate())
	assert.NoError(t, Config{DB: (&sqldbtest.DB{}).Open(t), Dialect: sourceflow.MySQL}.Validate())
}
