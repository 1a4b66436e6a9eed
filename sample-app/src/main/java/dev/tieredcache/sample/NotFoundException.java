package dev.tieredcache.sample;

import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.ResponseStatus;

/**
 * Thrown when a request names a user or a team that does not exist; answered with 404.
 */
@ResponseStatus(HttpStatus.NOT_FOUND)
public class NotFoundException extends RuntimeException {

	public NotFoundException(String kind, long id) {
		super("No " + kind + " " + id);
	}

}
