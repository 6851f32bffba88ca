package prom_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"metakv"
	"metakv/prom"
)

func TestCollectorGathersTheStoresMetrics(t *testing.T) {
	s, err := metakv.Open(t.TempDir(), metakv.Options{
		CreateIfMissing: true,
		Domains:         metakv.FileSystemDomains(),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for i := 0; i < 12; i++ {
		if err := s.Put(metakv.InodeDomain, "acme", []byte(fmt.Sprintf("k%d", i)), []byte("v")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Get(metakv.InodeDomain, "acme", []byte("k1")); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(prom.NewCollector(s)); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	byName := map[string]int{}
	for i, f := range families {
		byName[f.GetName()] = i
	}
	tests := []struct {
		family string
		labels map[string]string
		want   float64
	}{
		{"metakv_puts_total", map[string]string{"domain": "inode"}, 12},
		{"metakv_puts_total", map[string]string{"domain": "dentry"}, 0},
		{"metakv_tenant_user_written_bytes_total", map[string]string{"domain": "inode", "tenant": "acme"}, 0},
	}
	for _, tt := range tests {
		i, ok := byName[tt.family]
		if !ok {
			t.Errorf("no family %s", tt.family)
			continue
		}
		found := false
		for _, m := range families[i].GetMetric() {
			match := len(m.GetLabel()) == len(tt.labels)
			for _, l := range m.GetLabel() {
				match = match && tt.labels[l.GetName()] == l.GetValue()
			}
			if !match {
				continue
			}
			found = true
			if tt.want > 0 && m.GetCounter().GetValue() != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.family, tt.labels, m.GetCounter().GetValue(), tt.want)
			}
		}
		if !found {
			t.Errorf("%s has no sample %v", tt.family, tt.labels)
		}
	}
	i, ok := byName["metakv_operation_latency_seconds"]
	if !ok {
		t.Fatal("no latency histogram")
	}
	for _, m := range families[i].GetMetric() {
		if m.GetLabel()[0].GetValue() == "get" && m.GetHistogram().GetSampleCount() != 1 {
			t.Errorf("get latency count = %d, want 1", m.GetHistogram().GetSampleCount())
		}
	}

	s.Close()
	if _, err := reg.Gather(); err == nil || !errors.Is(err, metakv.ErrClosed) {
		t.Errorf("Gather after Close: %v, want an error wrapping ErrClosed", err)
	}
}
