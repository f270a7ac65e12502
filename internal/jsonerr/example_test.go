package jsonerr_test

import (
	"encoding/json"
	"fmt"

	"github.com/sourceflow-go/sourceflow/internal/jsonerr"
)

// A payload whose amount is a card number: the reason names the field, not
// the number.
func ExampleDescribe() {
	var order struct {
		Amount int `json:"amount"`
	}
	err := json.Unmarshal([]byte(`{"amount":4111111111111111.5}`), &order)
	fmt.Println(err)
	fmt.Println(jsonerr.Describe(err))
	// Output:
	// json: cannot unmarshal number 4111111111111111.5 into Go struct field .amount of type int
	// json: cannot unmarshal number into field amount of type int
}
