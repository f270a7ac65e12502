package tracing

import "github.com/sourceflow-go/sourceflow"

// SQLBusSystem is the messaging.system of sqlbus on dialect d, the database
// its messages travel through: SystemPostgreSQL for sourceflow.Postgres,
// SystemMySQL for sourceflow.MySQL (MySQL and MariaDB), "" for a dialect
// sqlbus does not run on.
func SQLBusSystem(d sourceflow.Dialect) string {
	switch d {
	case sourceflow.Postgres:
		return SystemPostgreSQL
	case sourceflow.MySQL:
		return SystemMySQL
	}
	return ""
}
