# container-tuner ignore-file=go-maxprocs
ARG GO_VERSION=1.22
FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# hadolint ignore=DL3059
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux \
    go build -trimpath -ldflags="-s -w" -o /out/api ./cmd/api && \
    # keep the binary small
    ls -l /out/api
RUN <<EOF
set -eu
if [ -n "${EXTRA:-}" ]; then echo "extra: $EXTRA"; fi
EOF

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/api /api
COPY <<'EOT' /etc/api/config.yaml
listen: ":8080"
EOT
ENV GOMEMLIMIT=450MiB GOMAXPROCS=2
USER nonroot:nonroot
EXPOSE 8080
HEALTHCHECK --interval=10s CMD ["/api", "healthcheck"]
ENTRYPOINT ["/api"]
