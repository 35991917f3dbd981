# tutord on Debian 12, built from source with the Debian packages the scripts use. The build fetches the
# /docs renderer (Redoc, pinned by docs/package-lock.json) with npm; `cmake --install` puts the binary in
# /usr/local/bin and the renderer in /usr/local/share/tutord/docs, where tutord looks for it.
FROM debian:12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc make cmake pkg-config \
      libulfius-dev libmicrohttpd-dev libjansson-dev libjwt-dev libpq-dev libcurl4-gnutls-dev check libsubunit-dev \
      libical-dev libssl-dev libgoogle-perftools-dev nodejs npm ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr/local \
    && cmake --build /build -j"$(nproc)" --target tutord \
    && DESTDIR=/install cmake --install /build

FROM debian:12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libulfius2.7 libmicrohttpd12 libjansson4 \
      libjwt0 libpq5 libical3 libcurl3-gnutls libssl3 libtcmalloc-minimal4 tzdata ca-certificates curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --no-create-home tutord
COPY --from=build /install/usr/local/ /usr/local/
USER tutord
ENV TUTORD_LISTEN=0.0.0.0 TUTORD_PORT=8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["tutord"]
CMD ["serve"]
