package dynamostore

import (
	"encoding/json"
	"net/http"
	"strings"
)

// TableDescribed is DynamoDB's answer to a DescribeTable request with body
// req, as New and NewOutbox send under ProvisionAssume: a table with the
// keys given as name and type pairs, the first the partition key, or
// without keys the stores' (pk and sk, strings). It is exported for the
// package's external tests.
func TableDescribed(req []byte, keys ...string) (int, string) {
	var in struct{ TableName string }
	if err := json.Unmarshal(req, &in); err != nil {
		return http.StatusBadRequest, `{"__type":"com.amazon.coral.validation#SerializationException"}`
	}
	if len(keys) == 0 {
		keys = []string{attrPK, "S", attrSK, "S"}
	}
	var schema, defs []string
	for i := 0; i+1 < len(keys); i += 2 {
		kind := "HASH"
		if i > 0 {
			kind = "RANGE"
		}
		schema = append(schema, `{"AttributeName":"`+keys[i]+`","KeyType":"`+kind+`"}`)
		defs = append(defs, `{"AttributeName":"`+keys[i]+`","AttributeType":"`+keys[i+1]+`"}`)
	}
	return http.StatusOK, `{"Table":{"TableName":"` + in.TableName + `","TableStatus":"ACTIVE",` +
		`"KeySchema":[` + strings.Join(schema, ",") + `],"AttributeDefinitions":[` + strings.Join(defs, ",") + `]}}`
}
