package sourceflow_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/sourceflow-go/sourceflow"
)

func TestDialectNamesItsDriverAndRejectsAnUnknownOne(t *testing.T) {
	for d, driver := range map[sourceflow.Dialect]string{sourceflow.Postgres: "pgx", sourceflow.MySQL: "mysql", sourceflow.SQLite: "sqlite"} {
		assert.Equal(t, driver, d.DriverName())
		assert.NoError(t, d.Validate())
	}
	err := sourceflow.Dialect("oracle").Validate()
	assert.ErrorIs(t, err, sourceflow.ErrUnknownDialect)
	assert.EqualError(t, err, `sourceflow: unknown dialect: "oracle" (want "postgres", "mysql" or "sqlite")`)
	assert.Empty(t, sourceflow.Dialect("").DriverName())
}
