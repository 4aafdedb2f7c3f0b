"""TLS to PostgreSQL, as managed databases require it: `sslmode` and `sslrootcert` in DATABASE_URL. The cluster
here accepts TLS connections only; a server that verifies its certificate works over TLS, and a certificate that
does not verify, a missing root file or an unknown mode stops start-up with one line."""
import os
import subprocess

import pytest
import requests

from conftest import BUILD, JWT_SECRET, PostgresCluster, free_port, start_messaging_server


def make_ca(directory, name):
    key, cert = directory / f"{name}.key", directory / f"{name}.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                    f"/CN={name}", "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return key, cert


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tls")
    ca_key, ca_cert = make_ca(directory, "test-ca")
    _, other_ca = make_ca(directory, "other-ca")
    key, request, cert = directory / "server.key", directory / "server.csr", directory / "server.crt"
    subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", str(key),
                    "-out", str(request)], check=True, capture_output=True)
    (directory / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    subprocess.run(["openssl", "x509", "-req", "-in", str(request), "-CA", str(ca_cert), "-CAkey", str(ca_key),
                    "-CAcreateserial", "-days", "2", "-extfile", str(directory / "san.ext"), "-out", str(cert)],
                   check=True, capture_output=True)
    hba = "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostnossl all all 0.0.0.0/0 reject\n"
    cluster = PostgresCluster(options="-c ssl=on -c ssl_cert_file={dir}/server.crt -c ssl_key_file={dir}/server.key",
                              hba=hba, files=[cert, key])
    yield cluster, ca_cert, other_ca
    cluster.stop()


def run_server(url, tmp_path):
    environment = dict(os.environ, PORT=str(free_port()), JWT_SECRET=JWT_SECRET, DATA_DIR=str(tmp_path), DATABASE_URL=url)
    return subprocess.run([str(BUILD / "messaging-server"), "serve"], env=environment, capture_output=True,
                          text=True, timeout=60)


def test_a_server_that_verifies_the_certificate_talks_to_postgres_over_tls(tls, tmp_path):
    cluster, ca_cert, _ = tls
    server = start_messaging_server(tmp_path, DATABASE_URL=f"{cluster.url}?sslmode=verify-full&sslrootcert={ca_cert}")
    try:
        assert requests.get(server.url + "/ready", timeout=5).status_code == 200
        encrypted = cluster.sql("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                                "WHERE a.datname = 'messaging' AND s.ssl AND a.application_name <> 'psql'")
        assert int(encrypted) >= 1
        plain = cluster.sql("SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) "
                            "WHERE a.datname = 'messaging' AND NOT s.ssl AND a.backend_type = 'client backend'")
        assert plain == "0"
    finally:
        server.stop()
    # require: TLS without checking the certificate.
    server = start_messaging_server(tmp_path, DATABASE_URL=f"{cluster.url}?sslmode=require")
    server.stop()


@pytest.mark.parametrize("query, words", [
    ("sslmode=verify-full&sslrootcert={other}", ["database TLS", "verify-full", "CERTIFICATE_VERIFY_FAILED"]),
    ("sslmode=verify-ca&sslrootcert=/nonexistent/root.pem", ["sslrootcert", "/nonexistent/root.pem"]),
    ("sslmode=sometimes", ["sslmode", "verify-full", "sometimes"]),
])
def test_a_bad_tls_setting_stops_start_up_with_one_line(tls, tmp_path, query, words):
    cluster, _, other_ca = tls
    completed = run_server(f"{cluster.url}?{query.format(other=other_ca)}", tmp_path)
    assert completed.returncode != 0
    lines = [line for line in completed.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, completed.stderr
    assert all(word in lines[0] for word in words), lines[0]
