package sqlstore_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/sourceflow-go/sourceflow"
	"github.com/sourceflow-go/sourceflow/cqrs/sqlstore"
)

func TestConfigValidateNamesEveryInvalidField(t *testing.T) {
	err := sqlstore.Config{Dialect: "oracle", TablePrefix: "bad-prefix;", MaxOpenConns: -1, ConnectTimeout: -1}.Validate()
	require.Error(t, err)
	assert.ErrorIs(t, err, sourceflow.ErrUnknownDialect)
	assert.ErrorIs(t, err, sqlstore.ErrInvalidTablePrefix)
	for _, field := range []string{"Dialect", "TablePrefix", "MaxOpenConns", "ConnectTimeout"} {
		assert.Contains(t, err.Error(), "Config."+field)
	}
}

func TestConfigValidateTablePrefix(t *testing.T) {
	for prefix, ok := range map[string]bool{
		"sourceflow_":                    true,
		"app.sf_":                        true,
		"App1":                           true,
		"a.b.c_":                         false,
		"1sf_":                           false,
		"sf-":                            false,
		"sf_; DROP TABLE x":              false,
		"sf_" + string(make([]byte, 60)): false,
	} {
		err := sqlstore.Config{Dialect: sourceflow.SQLite, TablePrefix: prefix}.Validate()
		if ok {
			assert.NoError(t, err, prefix)
		} else {
			assert.ErrorIs(t, err, sqlstore.ErrInvalidTablePrefix, prefix)
		}
	}
}

func TestOpenRequiresDSNAndNewRequiresDB(t *testing.T) {
	_, err := sqlstore.Open(context.Background(), sqlstore.Config{Dialect: sourceflow.SQLite})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Config.DSN")

	_, err = sqlstore.New(context.Background(), nil, sqlstore.Config{Dialect: sourceflow.SQLite})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "db must not be nil")
}
