"""The site root answers what browsers and crawlers ask for: /favicon.ico (no 404 in every first visit's log)."""

from PIL import Image


def test_the_favicon_and_robots_are_served_at_the_root(client):
    import io

    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert Image.open(io.BytesIO(body)).format == "ICO"
    robots = client.get("/robots.txt")
    text = (b"".join(robots.streaming_content) if robots.streaming else robots.content).decode()
    assert robots.status_code == 200 and "Disallow: /" in text
