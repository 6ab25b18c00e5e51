package memstore_test

import (
	"testing"

	"github.com/parleyhq/parley/memstore"
	"github.com/parleyhq/parley/storage"
	"github.com/parleyhq/parley/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(*testing.T) storage.Store { return memstore.New() }, storagetest.Capabilities{})
}

func TestService(t *testing.T) {
	storagetest.RunService(t, func(*testing.T) storage.Store { return memstore.New() }, storagetest.Capabilities{})
}
