"""Pure builder functions: data in, Dash components out. Nothing here touches the database."""
