package idempotencytest

import (
	"reflect"
	"testing"

	"github.com/sourceflow-go/sourceflow/idempotency"
)

// optional returns s as a T, the interface of a method a store may leave
// out (io.Closer, idempotency.Looker), and skips the test, saying which
// method s lacks, for a store without it.
func optional[T any](t testing.TB, s idempotency.Store, method string) T {
	t.Helper()
	v, ok := s.(T)
	if !ok {
		t.Skipf("%T has no %s method (%v)", s, method, reflect.TypeFor[T]())
	}
	return v
}
