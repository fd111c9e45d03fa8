// demo-service: a small orders API, written the way many Go services start.
// Standard library only (the demo builds it with no module proxy).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"
	"syscall"
	"time"
)

type order struct {
	ID       int       `json:"id"`
	Item     string    `json:"item"`
	Quantity int       `json:"quantity"`
	Created  time.Time `json:"created"`
}

type store struct {
	mu     sync.Mutex
	next   int
	orders []order
}

func (s *store) add(item string, qty int) order {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.next++
	o := order{ID: s.next, Item: item, Quantity: qty, Created: time.Now().UTC()}
	s.orders = append(s.orders, o)
	return o
}

func (s *store) list() []order {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]order(nil), s.orders...)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func main() {
	start := time.Now()
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	// What the runtime chose: GOMAXPROCS from the CPUs (or the env), the soft
	// memory limit from GOMEMLIMIT (math.MaxInt64 when there is none).
	limit := debug.SetMemoryLimit(-1)
	memlimit := strconv.FormatInt(limit, 10)
	if limit == 1<<63-1 {
		memlimit = "none"
	}
	log.Printf("starting: GOMAXPROCS=%d GOMEMLIMIT=%s NumCPU=%d go=%s", runtime.GOMAXPROCS(0), memlimit, runtime.NumCPU(), runtime.Version())

	st := &store{}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("/orders", func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet:
			writeJSON(w, http.StatusOK, st.list())
		case http.MethodPost:
			var in struct {
				Item     string `json:"item"`
				Quantity int    `json:"quantity"`
			}
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Item == "" || in.Quantity <= 0 {
				writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want {\"item\": string, \"quantity\": positive int}"})
				return
			}
			writeJSON(w, http.StatusCreated, st.add(in.Item, in.Quantity))
		default:
			w.Header().Set("Allow", "GET, POST")
			writeJSON(w, http.StatusMethodNotAllowed, map[string]string{"error": "method not allowed"})
		}
	})

	srv := &http.Server{
		Addr:              "127.0.0.1:" + port,
		Handler:           mux,
		ReadHeaderTimeout: 5 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()

	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("listening on %s (started in %s)", srv.Addr, time.Since(start))

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	case <-ctx.Done():
		log.Printf("signal received: draining")
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		log.Printf("stopped")
	}
}
