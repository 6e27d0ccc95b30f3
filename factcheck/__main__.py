from factcheck.cli import app

app(prog_name="factcheck")
