package arch

import (
	"testing"

	"github.com/gorseq/percpu/internal/testmain"
)

func TestMain(m *testing.M) { testmain.Run(m) }
