"""Fleet: sites, vehicles, odometer, unavailability, maintenance and documents."""
