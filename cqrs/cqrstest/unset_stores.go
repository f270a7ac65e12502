package cqrstest

import (
	"reflect"
	"strings"

	"github.com/sourceflow-go/sourceflow/cqrs"
)

// UnsetStores names the store fields of cfg left nil: every field of
// cqrs.ServiceConfig whose name ends in "Store" (CommandStore, EntityStore,
// ViewStore, and any store field a later release adds), so that a test of
// code that configures a service's stores fails on the one it forgot.
func UnsetStores(cfg cqrs.ServiceConfig) []string {
	var unset []string
	v := reflect.ValueOf(cfg)
	for _, f := range reflect.VisibleFields(v.Type()) {
		if strings.HasSuffix(f.Name, "Store") && v.FieldByIndex(f.Index).IsNil() {
			unset = append(unset, f.Name)
		}
	}
	return unset
}
